using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

public class RandomSearchTests
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    [Theory]
    [InlineData(RandomSampler.PerGene)]
    [InlineData(RandomSampler.UniformNetwork)]
    public void Every_candidate_fits_and_is_distinct(RandomSampler sampler)
    {
        var costs = new SubnetCostCache(Space);
        long maxMacs = SearchTestSpaces.MacsQuantile(Space, 0.4), maxParams = SearchTestSpaces.ParamsQuantile(Space, 0.5);
        IConstraint[] budget = [new MacsConstraint(costs, maxMacs), new ParamsConstraint(costs, maxParams)];
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space));
        var log = new SearchTestSpaces.ProgressLog();
        var options = new RandomSearchOptions { Evaluations = 250, BatchSize = 100, Sampler = sampler };
        var result = new RandomSearch(options).Search(Space, fitness, budget, 3, log);

        Assert.Equal(250, result.Evaluations);
        Assert.Equal(250, fitness.Calls);
        Assert.Equal(250, result.Candidates.Select(c => c.Config).Distinct().Count());
        Assert.All(result.Candidates, c => Assert.True(c.Macs <= maxMacs && c.Params <= maxParams));
        var largest = new FlopsCounter(Space).Count(ArchConfig.Max(Space));
        Assert.False(largest.Macs <= maxMacs && largest.Params <= maxParams); // the budget bites: proposals were shrunk to fit
        Assert.Equal([0, 1, 2], log.Reports.Select(r => r.Generation));
        Assert.Equal([100, 200, 250], log.Reports.Select(r => r.Evaluations));
        Assert.Equal(2, result.Generations);
        Assert.Equal(result.Candidates.Select((_, i) => i / 100), result.Candidates.Select(c => c.Generation));
    }

    [Fact]
    public void The_samplers_differ_as_documented()
    {
        // Uniform over networks favours deep stages; per-gene sampling does not.
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space));
        double MeanBlocks(RandomSampler s) => new RandomSearch(new RandomSearchOptions { Evaluations = 300, Sampler = s })
            .Search(Space, new SearchTestSpaces.TargetMatchFitness(fitness.Target), [], 1).Candidates.Average(c => c.Config.ActiveBlocks);
        Assert.InRange(MeanBlocks(RandomSampler.PerGene), 14, 16);
        Assert.True(MeanBlocks(RandomSampler.UniformNetwork) > 18.5);
    }

    [Fact]
    public void The_same_seed_gives_the_same_result()
    {
        var target = ArchConfig.Max(Space);
        IConstraint[] budget = [new MacsConstraint(Space, SearchTestSpaces.MacsQuantile(Space, 0.5))];
        var options = new RandomSearchOptions { Evaluations = 120 };
        var a = new RandomSearch(options).Search(Space, new SearchTestSpaces.TargetMatchFitness(target), budget, 8);
        var b = new RandomSearch(options).Search(Space, new SearchTestSpaces.TargetMatchFitness(target), budget, 8);
        var c = new RandomSearch(options).Search(Space, new SearchTestSpaces.TargetMatchFitness(target), budget, 9);
        Assert.Equal(a.Candidates, b.Candidates);
        Assert.NotEqual(a.Candidates.Select(x => x.Config), c.Candidates.Select(x => x.Config));
    }

    [Fact]
    public void Matching_budget_copies_the_evolution_settings()
    {
        var evolution = new EvolutionSearchOptions { PopulationSize = 40, Generations = 7, IncludeSmallest = true, MaxAttemptsPerCandidate = 99 };
        var random = RandomSearchOptions.MatchingBudget(evolution);
        Assert.Equal((320, 40, true, 99), (random.Evaluations, random.BatchSize, random.IncludeSmallest, random.MaxAttemptsPerCandidate));
        var result = new RandomSearch(random with { Evaluations = 5 })
            .Search(Space, new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space)), [], 1);
        Assert.Equal(ArchConfig.Min(Space), result.Candidates[0].Config);
        Assert.Equal(5, result.Evaluations);
    }

    [Fact]
    public void A_budget_that_admits_too_few_networks_ends_the_search_early_with_everything_it_admits()
    {
        long minMacs = new FlopsCounter(Space).Macs(ArchConfig.Min(Space));
        var options = new RandomSearchOptions { Evaluations = 3, MaxAttemptsPerCandidate = 50 };
        var result = new RandomSearch(options)
            .Search(Space, new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space)), [new MacsConstraint(Space, minMacs)], 1);
        // Only the smallest fits: the first proposal is shrunk to it, every later one is shrunk to it again (a duplicate).
        Assert.True(result.Exhausted);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal(50, result.DuplicateRejections);
        Assert.Equal(ArchConfig.Min(Space), result.Best.Config);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        Assert.Contains("Evaluations = 0", Assert.Throws<ArgumentException>(() => new RandomSearch(new() { Evaluations = 0 })).Message);
        Assert.Contains("BatchSize = 0", Assert.Throws<ArgumentException>(() => new RandomSearch(new() { BatchSize = 0 })).Message);
        Assert.Contains("Sampler", Assert.Throws<ArgumentException>(() => new RandomSearch(new() { Sampler = (RandomSampler)7 })).Message);
    }
}
