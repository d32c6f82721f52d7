using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// A fitted <see cref="AccuracyPredictor"/> as the fitness of a search: microseconds per candidate instead of a BN
/// recalibration and a validation pass, so a search can afford many generations. Its ranking is only as good as the
/// predictor's held-out Kendall tau; measure the winners with <see cref="RecalibratedFitness"/> before trusting them.
/// </summary>
public sealed class PredictorFitness : IFitness
{
    private readonly AccuracyPredictor _predictor;

    public PredictorFitness(AccuracyPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        if (!predictor.IsFitted) throw new ArgumentException("predictor is not fitted; call Fit first", nameof(predictor));
        _predictor = predictor;
    }

    public double Evaluate(ArchConfig config) => _predictor.Predict(config);
}
