using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// Predicted inference latency of a sub-network on some machine, for <see cref="LatencyConstraint"/>. The NAS
/// library defines only this interface; a latency table measured on the target machine implements it where the
/// measurement lives (AecOfa.Pipelines' <c>LatencyTablePredictor</c>), and any other model (a formula, a fitted
/// predictor, a fake in tests) can too. Called for every proposed config: must be cheap and deterministic.
/// </summary>
public interface ILatencyPredictor
{
    /// <summary>The space whose sub-networks this predictor knows; a search over another space is refused.</summary>
    ArchSpace Space { get; }

    /// <summary>Predicted latency of <paramref name="config"/> in milliseconds.</summary>
    double PredictMs(ArchConfig config);

    /// <summary>What the prediction is, in words (e.g. "latency table t.json, batch 1, medians, network only").</summary>
    string Describe();
}
