using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// The baseline evolution must beat: independent random sub-networks under the same constraints (resampled until
/// they fit), de-duplicated, until <see cref="RandomSearchOptions.Evaluations"/> distinct configs are evaluated.
/// Use <see cref="RandomSearchOptions.MatchingBudget"/> for the same evaluation budget as an evolutionary search.
/// </summary>
public sealed class RandomSearch : ISearchStrategy
{
    public RandomSearch(RandomSearchOptions? options = null)
    {
        Options = options ?? new RandomSearchOptions();
        Options.Validate();
    }

    public RandomSearchOptions Options { get; }

    public SearchResult Search(ArchSpace space, IFitness fitness, IReadOnlyList<IConstraint> constraints, int seed,
        IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        var run = new SearchRun(space, fitness, constraints, ct);
        var o = Options;
        var rng = new Random(seed);
        // The same shrink-to-fit repair as the evolution's proposals, so both searches see the same candidate distribution.
        Func<ArchConfig, bool> fits = c => SearchConstraints.AllSatisfied(constraints, c);
        Func<ArchConfig> sample = o.Sampler == RandomSampler.PerGene
            ? () => ArchEvolution.ShrinkToFit(space, ArchSampling.Sample(space, rng), fits, rng)
            : () => ArchEvolution.ShrinkToFit(space, ArchSampling.SampleUniformNetwork(space, rng), fits, rng);
        int lastBatch = (o.Evaluations - 1) / o.BatchSize;
        if (o.IncludeSmallest) run.TryEvaluate(ArchConfig.Min(space), 0);
        for (int i = run.Candidates.Count; i < o.Evaluations; i++)
        {
            ArchConfig next;
            try
            {
                next = run.Draw(sample, o.MaxAttemptsPerCandidate, "random sampling", "candidate", i);
            }
            catch (CandidateSamplingException e) when (e.ConstraintRejections == 0 && run.Candidates.Count > 0)
            {
                return run.Result(i / o.BatchSize) with { Exhausted = true }; // the budget admits no new sub-network
            }
            run.Evaluate(next, i / o.BatchSize);
            if ((i + 1) % o.BatchSize == 0 && i + 1 < o.Evaluations) run.Report(progress, i / o.BatchSize, lastBatch);
        }
        run.Report(progress, lastBatch, lastBatch);
        return run.Result(lastBatch);
    }
}
