using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// Finds a high-fitness sub-network of a space under hard constraints. Contract of every implementation: every
/// evaluated candidate satisfies every constraint; no config is evaluated twice; the same arguments and seed give
/// the same result; an infeasible budget is an <see cref="ArgumentException"/> before any evaluation
/// (<see cref="SearchConstraints.EnsureFeasible"/>).
/// </summary>
public interface ISearchStrategy
{
    SearchResult Search(ArchSpace space, IFitness fitness, IReadOnlyList<IConstraint> constraints, int seed,
        IProgress<SearchProgress>? progress = null, CancellationToken ct = default);
}
