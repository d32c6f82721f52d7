using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// OFA's evolutionary search, with de-duplication. Initial population: <see cref="ArchSampling.Sample"/> (OFA's
/// per-gene sampling) resampled until it fits the constraints. Each generation: the top
/// <see cref="EvolutionSearchOptions.ParentCount"/> by fitness become parents (ties: the earlier evaluated);
/// <see cref="EvolutionSearchOptions.MutantCount"/> children by <see cref="ArchEvolution.Mutate"/> of a uniformly
/// chosen parent and the rest by <see cref="ArchEvolution.Crossover"/> of two distinct parents, each resampled until
/// it fits; the next population is parents + children.
///
/// Unlike OFA, a proposal equal to ANY config evaluated before is rejected and redrawn, so the population never
/// holds duplicates (OFA's population collapses onto copies of its best) and no config is evaluated twice. Once the
/// parents have converged they differ in a few genes only, and every recombination of them has been evaluated: with
/// de-duplication crossover alone would then fail for good (measured: by generation 5-16 on the test problems). So
/// a crossover child that is a duplicate is mutated (same probability per gene) before it is checked; it keeps most
/// of its parents' genes and the search goes on exploring around them. All randomness comes from one
/// <see cref="Random"/> seeded by the seed: the same seed gives the same search.
/// </summary>
public sealed class EvolutionSearch : ISearchStrategy
{
    public EvolutionSearch(EvolutionSearchOptions? options = null)
    {
        Options = options ?? new EvolutionSearchOptions();
        Options.Validate();
    }

    public EvolutionSearchOptions Options { get; }

    public SearchResult Search(ArchSpace space, IFitness fitness, IReadOnlyList<IConstraint> constraints, int seed,
        IProgress<SearchProgress>? progress = null, CancellationToken ct = default)
    {
        var run = new SearchRun(space, fitness, constraints, ct);
        var rng = new Random(seed);

        int reached = 0;
        try
        {
            return Run(run, space, constraints, rng, progress, ref reached);
        }
        catch (CandidateSamplingException e) when (e.ConstraintRejections == 0 && run.Candidates.Count > 0)
        {
            // Every proposal was a sub-network already evaluated: the budget admits no new one. What was evaluated is the answer.
            return run.Result(reached) with { Exhausted = true };
        }
    }

    private SearchResult Run(SearchRun run, ArchSpace space, IReadOnlyList<IConstraint> constraints, Random rng, IProgress<SearchProgress>? progress, ref int reached)
    {
        var o = Options;
        int maxAttempts = o.MaxAttemptsPerCandidate;
        // Population as indices into run.Candidates: the index is the evaluation order, the tie-breaker.
        var population = new List<int>(o.PopulationSize + o.ParentCount);
        if (o.IncludeSmallest && run.TryEvaluate(ArchConfig.Min(space), 0)) population.Add(0);
        // Proposals that break the budget are shrunk until they fit (ArchEvolution.ShrinkToFit): under a tight budget
        // resampling alone almost never finds a fitting sub-network.
        Func<ArchConfig, bool> fits = c => SearchConstraints.AllSatisfied(constraints, c);
        Func<ArchConfig> sample = () => ArchEvolution.ShrinkToFit(space, ArchSampling.Sample(space, rng), fits, rng);
        while (population.Count < o.PopulationSize)
        {
            run.Evaluate(run.Draw(sample, maxAttempts, "initial population", "generation", 0), 0);
            population.Add(run.Candidates.Count - 1);
        }
        run.Report(progress, 0, o.Generations);

        var candidates = run.Candidates;
        Comparison<int> fitterFirst = (a, b) =>
        {
            int byFitness = candidates[b].Fitness.CompareTo(candidates[a].Fitness);
            return byFitness != 0 ? byFitness : a.CompareTo(b);
        };
        var parents = new int[o.ParentCount];
        // The operators as proposal functions, made once (they read the current parents).
        Func<ArchConfig> mutant = () =>
            ArchEvolution.ShrinkToFit(space, ArchEvolution.Mutate(space, candidates[parents[rng.Next(parents.Length)]].Config, o.MutationProbability, rng), fits, rng);
        Func<ArchConfig> crossover = () =>
        {
            int a = rng.Next(parents.Length), b = rng.Next(parents.Length - 1);
            if (b >= a) b++; // two distinct parents: crossing a parent with itself only returns it
            var child = ArchEvolution.Crossover(space, candidates[parents[a]].Config, candidates[parents[b]].Config, rng);
            return ArchEvolution.ShrinkToFit(space, run.IsEvaluated(child) ? ArchEvolution.Mutate(space, child, o.MutationProbability, rng) : child, fits, rng);
        };
        for (int generation = 1; generation <= o.Generations; generation++)
        {
            reached = generation - 1;
            population.Sort(fitterFirst);
            population.CopyTo(0, parents, 0, parents.Length);
            population.Clear();
            population.AddRange(parents);
            for (int i = 0; i < o.MutantCount; i++)
            {
                run.Evaluate(run.Draw(mutant, maxAttempts, "mutation", "generation", generation), generation);
                population.Add(candidates.Count - 1);
            }
            for (int i = 0; i < o.CrossoverCount; i++)
            {
                run.Evaluate(run.Draw(crossover, maxAttempts, "crossover", "generation", generation), generation);
                population.Add(candidates.Count - 1);
            }
            run.Report(progress, generation, o.Generations);
        }
        return run.Result(o.Generations);
    }
}
