using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

public class CachedFitnessTests
{
    private sealed class CountingFitness : IFitness
    {
        public Dictionary<ArchConfig, int> Calls { get; } = new();

        public double Evaluate(ArchConfig config)
        {
            Calls[config] = Calls.GetValueOrDefault(config) + 1;
            return Value(config);
        }

        public static double Value(ArchConfig config) => config.ActiveBlocks + 0.01 * config.MelBins;
    }

    [Fact]
    public void Each_config_reaches_the_inner_fitness_once()
    {
        var space = SearchTestSpaces.Demo;
        var inner = new CountingFitness();
        var cached = new CachedFitness(inner);
        var rng = new Random(1);
        var configs = Enumerable.Range(0, 30).Select(_ => ArchSampling.Sample(space, rng)).ToArray();
        Assert.Equal(30, configs.Distinct().Count());
        for (int round = 0; round < 3; round++)
            foreach (var c in configs)
                Assert.Equal(CountingFitness.Value(c), cached.Evaluate(c));
        Assert.All(inner.Calls.Values, n => Assert.Equal(1, n));
        Assert.Equal(30, cached.Misses);
        Assert.Equal(60, cached.Hits);
        Assert.Equal(30, cached.Values.Count);

        // An equal config built separately (value equality, canonical genes) is a hit.
        var copy = new ArchConfig(configs[0].Depths, configs[0].Kernels, configs[0].Expands, configs[0].MelBins, configs[0].HopFactor);
        cached.Evaluate(copy);
        Assert.Equal(30, cached.Misses);
    }

    [Fact]
    public void A_second_search_through_the_cache_costs_no_evaluation()
    {
        var space = SearchTestSpaces.Demo;
        var inner = new CountingFitness();
        var cached = new CachedFitness(inner);
        var options = new EvolutionSearchOptions { PopulationSize = 10, Generations = 3 };
        var a = new EvolutionSearch(options).Search(space, cached, [], 4);
        var b = new EvolutionSearch(options).Search(space, cached, [], 4);
        Assert.Equal(a.Candidates, b.Candidates);
        Assert.Equal(40, cached.Misses);
        Assert.Equal(40, cached.Hits);
        Assert.All(inner.Calls.Values, n => Assert.Equal(1, n));
    }
}
