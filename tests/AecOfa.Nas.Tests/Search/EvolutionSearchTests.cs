using System.Diagnostics;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using Xunit.Abstractions;

namespace AecOfa.Nas.Tests.Search;

public class EvolutionSearchTests(ITestOutputHelper output)
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    private static readonly EvolutionSearchOptions Small = new() { PopulationSize = 30, Generations = 8 };

    private static (IConstraint[] Budget, SearchTestSpaces.TargetMatchFitness Fitness) Problem(int seed)
    {
        var macs = new MacsConstraint(Space, SearchTestSpaces.MacsQuantile(Space, 0.3));
        return ([macs], new SearchTestSpaces.TargetMatchFitness(SearchTestSpaces.FittingTarget(Space, macs, seed)));
    }

    [Fact]
    public void Every_candidate_fits_the_budget_and_is_evaluated_once()
    {
        var costs = new SubnetCostCache(Space);
        long maxMacs = SearchTestSpaces.MacsQuantile(Space, 0.25), maxParams = SearchTestSpaces.ParamsQuantile(Space, 0.5);
        IConstraint[] budget = [new MacsConstraint(costs, maxMacs), new ParamsConstraint(costs, maxParams)];
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space)); // fails on a repeated question
        var result = new EvolutionSearch(Small).Search(Space, fitness, budget, seed: 11);

        Assert.Equal(Small.TotalEvaluations, result.Evaluations);
        Assert.Equal(result.Evaluations, result.Candidates.Count);
        Assert.Equal(result.Evaluations, fitness.Calls);
        Assert.Equal(result.Evaluations, result.Candidates.Select(c => c.Config).Distinct().Count());
        var counter = new FlopsCounter(Space);
        foreach (var c in result.Candidates)
        {
            c.Config.Validate(Space);
            var cost = counter.Count(c.Config);
            Assert.Equal((cost.Macs, cost.Params), (c.Macs, c.Params));
            Assert.True(c.Macs <= maxMacs && c.Params <= maxParams, $"{c.Config} breaks the budget");
            Assert.Equal(fitness.Score(c.Config), c.Fitness);
        }
        // The budget really bites (else the test would not test the shrink-to-fit repair): the largest breaks it.
        Assert.False(counter.Count(ArchConfig.Max(Space)).Macs <= maxMacs && counter.Count(ArchConfig.Max(Space)).Params <= maxParams);
        Assert.Equal(result.Evaluations + result.ConstraintRejections + result.DuplicateRejections, result.Proposals);
        Assert.Equal(result.Candidates.Max(c => c.Fitness), result.Best.Fitness);
        Assert.Equal(Enumerable.Range(0, Small.Generations + 1).SelectMany(g => Enumerable.Repeat(g, Small.PopulationSize)),
            result.Candidates.Select(c => c.Generation));
    }

    [Fact]
    public void Duplicates_are_proposed_and_rejected_in_a_small_space()
    {
        // The tiny space has ~266K sub-networks and few genes, so mutants often equal their parent.
        var space = Supernet.TinySupernet.Space;
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(space));
        var result = new EvolutionSearch(new EvolutionSearchOptions { PopulationSize = 20, Generations = 15 })
            .Search(space, fitness, [], seed: 2);
        Assert.True(result.DuplicateRejections > 0, "the test space produced no duplicate proposals");
        Assert.Equal(320, result.Candidates.Select(c => c.Config).Distinct().Count());
        Assert.Equal(320, fitness.Calls);
    }

    [Fact]
    public void The_same_seed_gives_the_same_search_and_another_seed_another()
    {
        var (budget, fitness) = Problem(1);
        var a = new EvolutionSearch(Small).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), budget, seed: 5);
        var b = new EvolutionSearch(Small).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), budget, seed: 5);
        var c = new EvolutionSearch(Small).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), budget, seed: 6);
        Assert.Equal(a.Candidates, b.Candidates);
        Assert.Equal((a.Proposals, a.ConstraintRejections, a.DuplicateRejections), (b.Proposals, b.ConstraintRejections, b.DuplicateRejections));
        Assert.Equal(a.Best, b.Best);
        Assert.NotEqual(a.Candidates.Select(x => x.Config), c.Candidates.Select(x => x.Config));
    }

    [Fact]
    public void Evolution_beats_random_search_with_the_same_evaluation_budget()
    {
        var options = new EvolutionSearchOptions { PopulationSize = 50, Generations = 20 };
        var randomOptions = RandomSearchOptions.MatchingBudget(options);
        Assert.Equal(1050, randomOptions.Evaluations);
        for (int seed = 1; seed <= 3; seed++)
        {
            var (budget, fitness) = Problem(seed);
            Assert.Equal(fitness.Optimum, fitness.Score(fitness.Target)); // the known optimum, inside the budget
            Assert.True(budget[0].IsSatisfied(fitness.Target));
            var evolution = new EvolutionSearch(options).Search(Space, fitness, budget, seed);
            var random = new RandomSearch(randomOptions).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), budget, seed);
            Assert.Equal(evolution.Evaluations, random.Evaluations);
            output.WriteLine($"seed {seed}: optimum {fitness.Optimum}, evolution {evolution.Best.Fitness}, random {random.Best.Fitness}");
            // Random search's best stays near chance (~1/3 of the genes); evolution climbs most of the way.
            Assert.True(evolution.Best.Fitness >= 0.85 * fitness.Optimum, $"seed {seed}: evolution reached {evolution.Best.Fitness} of {fitness.Optimum}");
            Assert.True(evolution.Best.Fitness >= random.Best.Fitness + 0.2 * fitness.Optimum,
                $"seed {seed}: evolution {evolution.Best.Fitness} vs random {random.Best.Fitness} (optimum {fitness.Optimum})");
        }
    }

    [Fact]
    public void The_population_keeps_its_best_parents()
    {
        // Elitism: the best fitness never decreases from one generation to the next.
        var (budget, fitness) = Problem(4);
        var log = new SearchTestSpaces.ProgressLog();
        var result = new EvolutionSearch(Small).Search(Space, fitness, budget, seed: 4, log);
        Assert.Equal(Enumerable.Range(0, Small.Generations + 1), log.Reports.Select(r => r.Generation));
        Assert.All(log.Reports, r => Assert.Equal(Small.Generations, r.Generations));
        Assert.Equal(log.Reports.Select((_, g) => (g + 1) * Small.PopulationSize), log.Reports.Select(r => r.Evaluations));
        for (int g = 1; g < log.Reports.Count; g++) Assert.True(log.Reports[g].Best.Fitness >= log.Reports[g - 1].Best.Fitness);
        Assert.True(log.Reports[^1].Best.Fitness > log.Reports[0].Best.Fitness, "no progress at all over 8 generations");
        Assert.Equal(result.Best, log.Reports[^1].Best);
    }

    [Fact]
    public void IncludeSmallest_puts_the_smallest_network_first()
    {
        var (budget, fitness) = Problem(5);
        var result = new EvolutionSearch(Small with { IncludeSmallest = true, Generations = 1 }).Search(Space, fitness, budget, 3);
        Assert.Equal(ArchConfig.Min(Space), result.Candidates[0].Config);
        Assert.Equal(2 * Small.PopulationSize, result.Evaluations);
        var without = new EvolutionSearch(Small with { Generations = 1 }).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), budget, 3);
        Assert.DoesNotContain(ArchConfig.Min(Space), without.Candidates.Select(c => c.Config));
    }

    [Fact]
    public void A_budget_that_admits_too_few_networks_ends_the_search_early_with_everything_it_admits()
    {
        // Only the smallest sub-network costs this little: after it, no new config can ever fit.
        long minMacs = new FlopsCounter(Space).Macs(ArchConfig.Min(Space));
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space));
        var options = new EvolutionSearchOptions { PopulationSize = 4, ParentRatio = 0.5, IncludeSmallest = true, MaxAttemptsPerCandidate = 300 };
        var result = new EvolutionSearch(options).Search(Space, fitness, [new MacsConstraint(Space, minMacs)], 1);
        Assert.True(result.Exhausted);
        Assert.Equal(ArchConfig.Min(Space), result.Best.Config);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal(300, result.DuplicateRejections);
        Assert.Equal(1, fitness.Calls);
        var roomy = new EvolutionSearch(Small).Search(Space, fitness, [], 1);
        Assert.False(roomy.Exhausted);
    }

    [Fact]
    public void Cancellation_stops_the_search()
    {
        var (budget, fitness) = Problem(6);
        using var cts = new CancellationTokenSource();
        var log = new CancelAfterFirstReport(cts);
        Assert.ThrowsAny<OperationCanceledException>(() => new EvolutionSearch(Small).Search(Space, fitness, budget, 1, log, cts.Token));
        Assert.Equal(Small.PopulationSize, fitness.Calls);
    }

    private sealed class CancelAfterFirstReport(CancellationTokenSource cts) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => cts.Cancel();
    }

    [Fact]
    public void Bad_options_are_named()
    {
        static string Message(EvolutionSearchOptions o) => Assert.Throws<ArgumentException>(() => new EvolutionSearch(o)).Message;
        Assert.Contains("PopulationSize = 1", Message(new() { PopulationSize = 1 }));
        Assert.Contains("ParentRatio = 0", Message(new() { ParentRatio = 0 }));
        Assert.Contains("crossover needs two", Message(new() { PopulationSize = 4, ParentRatio = 0.25 }));
        Assert.Contains("MutationProbability = 0", Message(new() { MutationProbability = 0 }));
        Assert.Contains("MutationRatio = 1.5", Message(new() { MutationRatio = 1.5 }));
        Assert.Contains("Generations = -1", Message(new() { Generations = -1 }));
        Assert.Contains("MaxAttemptsPerCandidate = 0", Message(new() { MaxAttemptsPerCandidate = 0 }));
        // One parent is fine when every child is a mutant.
        _ = new EvolutionSearch(new() { PopulationSize = 4, ParentRatio = 0.25, MutationRatio = 1 });
        var defaults = new EvolutionSearchOptions();
        Assert.Equal((25, 50, 50, 2100), (defaults.ParentCount, defaults.MutantCount, defaults.CrossoverCount, defaults.TotalEvaluations));
    }

    [Fact]
    public void Default_options_on_the_demo_space_run_2100_fitting_distinct_candidates_and_report_the_speed()
    {
        // Measures what the operators, de-duplication and constraint checks cost with a nearly free fitness.
        var budget = new MacsConstraint(Space, SearchTestSpaces.MacsQuantile(Space, 0.5));
        var fitness = new SearchTestSpaces.TargetMatchFitness(SearchTestSpaces.FittingTarget(Space, budget, 9));
        new EvolutionSearch(Small with { Generations = 1 }).Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), [budget], 1); // JIT warm-up
        var clock = Stopwatch.StartNew();
        var result = new EvolutionSearch().Search(Space, fitness, [budget], seed: 1);
        clock.Stop();
        Assert.Equal(2100, result.Evaluations);
        Assert.All(result.Candidates, c => Assert.True(budget.IsSatisfied(c.Config)));
        output.WriteLine($"{result.Evaluations} candidates ({result.Proposals} proposals, {result.ConstraintRejections} over budget, " +
            $"{result.DuplicateRejections} duplicates) in {clock.Elapsed.TotalMilliseconds:F0} ms: " +
            $"{result.Evaluations / clock.Elapsed.TotalSeconds:F0} candidates/s, {result.Proposals / clock.Elapsed.TotalSeconds:F0} proposals/s; " +
            $"best {result.Best.Fitness} of {fitness.Optimum}");
    }
}
