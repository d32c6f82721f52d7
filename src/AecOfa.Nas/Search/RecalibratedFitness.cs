using AecOfa.Nas.Metrics;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Search;

/// <summary>
/// Fitness measured on the supernet: <see cref="SubnetEvaluator.Evaluate"/> (exact BN recalibration, then the
/// metrics) and a selector that picks the score from the report — mAP by default; single-label tasks pass a
/// top-1 accuracy selector instead.
///
/// VALIDATION DATA ONLY: build the evaluator on the validation split. The search picks the maximum over thousands
/// of candidates, so its fitness is optimistically biased; the chosen sub-network must be reported on the test
/// split, which the search has never seen.
/// </summary>
public sealed class RecalibratedFitness : IFitness
{
    private readonly SubnetEvaluator _evaluator;
    private readonly Func<ClassificationReport, double> _metric;
    private readonly List<SubnetEvaluation> _evaluations = new();

    /// <param name="evaluator">Evaluator over the VALIDATION split.</param>
    /// <param name="metric">The score to maximize; default <see cref="MeanAveragePrecision"/>.</param>
    /// <param name="metricName">Name of the score in messages; default "mAP" (or "metric" for a custom selector).</param>
    public RecalibratedFitness(SubnetEvaluator evaluator, Func<ClassificationReport, double>? metric = null, string? metricName = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        _evaluator = evaluator;
        _metric = metric ?? MeanAveragePrecision;
        MetricName = metricName ?? (metric is null ? "mAP" : "metric");
    }

    /// <summary>The default selector: mean average precision over classes with positives.</summary>
    public static double MeanAveragePrecision(ClassificationReport report) => report.MeanAveragePrecision;

    public string MetricName { get; }

    /// <summary>Every evaluation so far, in order, with its full report and recalibration details.</summary>
    public IReadOnlyList<SubnetEvaluation> Evaluations => _evaluations;

    public double Evaluate(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var evaluation = _evaluator.Evaluate(config);
        double value = _metric(evaluation.Report);
        // A NaN (e.g. mAP of a validation set without positives) would make every comparison of the search false.
        if (!double.IsFinite(value))
            throw new InvalidOperationException(
                $"RecalibratedFitness: the {MetricName} of {config} is {value} (report: {evaluation.Report}); the validation data cannot rank sub-networks");
        _evaluations.Add(evaluation);
        return value;
    }
}
