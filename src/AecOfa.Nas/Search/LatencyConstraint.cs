using System.Collections.Concurrent;
using System.Globalization;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// Predicted latency (<see cref="ILatencyPredictor"/>, e.g. a latency table measured on the target machine)
/// &lt;= a limit in milliseconds; the bound is inclusive. Predictions are cached per config. A measured table is
/// only roughly monotone (noise can make a larger variant of a part measure faster); the search still works with
/// it: <see cref="SearchConstraints.EnsureFeasible"/> checks that the smallest sub-network fits, and the strategies'
/// shrinking repair (<see cref="ArchEvolution.ShrinkToFit"/>) ends at the smallest sub-network at the latest.
/// </summary>
public sealed class LatencyConstraint : IConstraint
{
    private readonly ConcurrentDictionary<ArchConfig, double> _cache = new();

    public LatencyConstraint(ILatencyPredictor predictor, double maxMs)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        if (!(maxMs > 0) || !double.IsFinite(maxMs))
            throw new ArgumentOutOfRangeException(nameof(maxMs), maxMs, "the latency limit must be a positive number of milliseconds");
        Predictor = predictor;
        MaxMs = maxMs;
    }

    public ILatencyPredictor Predictor { get; }

    /// <summary>The limit in milliseconds (inclusive).</summary>
    public double MaxMs { get; }

    /// <summary>The space the predictor knows.</summary>
    public ArchSpace Space => Predictor.Space;

    /// <summary>Predicted latency of <paramref name="config"/> in milliseconds (cached).</summary>
    public double PredictMs(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return _cache.GetOrAdd(config, c => Predictor.PredictMs(c));
    }

    public bool IsSatisfied(ArchConfig config) => PredictMs(config) <= MaxMs;

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"predicted latency <= {MaxMs:0.###} ms ({Predictor.Describe()})");

    public string DescribeCost(ArchConfig config) => string.Create(CultureInfo.InvariantCulture, $"{PredictMs(config):0.###} ms predicted");

    public override string ToString() => Describe();
}
