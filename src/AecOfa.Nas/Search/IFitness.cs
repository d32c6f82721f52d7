using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// What a search maximizes: a score of one sub-network, higher is better (e.g. validation mAP, or a predictor's
/// estimate of it). Must be finite and deterministic for a given config; the strategies never ask twice for the
/// same config.
/// </summary>
public interface IFitness
{
    double Evaluate(ArchConfig config);
}
