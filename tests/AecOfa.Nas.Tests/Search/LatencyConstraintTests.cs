using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

/// <summary>The latency constraint over a fake predictor: inclusive limit, feasibility and space checks, and searches
/// (evolution, random, the shrinking repair) that only return sub-networks predicted under the limit.</summary>
public sealed class LatencyConstraintTests
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    /// <summary>Fake latency: 0.2 µs per thousand MACs plus a deterministic per-config wobble of up to ±3 % (a measured
    /// table is only roughly monotone), and counts the predictions it was asked for.</summary>
    private sealed class FakePredictor(ArchSpace space) : ILatencyPredictor
    {
        private readonly FlopsCounter _counter = new(space);

        public ArchSpace Space { get; } = space;
        public int Calls { get; private set; }

        public double PredictMs(ArchConfig config)
        {
            Calls++;
            double wobble = 1 + 0.03 * Math.Sin(config.GetHashCode() % 1000);
            return _counter.Macs(config) * 2e-7 * wobble;
        }

        public string Describe() => "fake";
    }

    /// <summary>Bigger is better: pushes every search against the limit.</summary>
    private sealed class MacsFitness(ArchSpace space) : IFitness
    {
        private readonly FlopsCounter _counter = new(space);
        public double Evaluate(ArchConfig config) => _counter.Macs(config) / 1e6;
    }

    [Fact]
    public void Admits_at_or_below_the_limit_and_rejects_above()
    {
        var predictor = new FakePredictor(Space);
        var rng = new Random(1);
        for (int i = 0; i < 30; i++)
        {
            var c = ArchSampling.Sample(Space, rng);
            double ms = predictor.PredictMs(c);
            Assert.True(new LatencyConstraint(predictor, ms).IsSatisfied(c));
            Assert.False(new LatencyConstraint(predictor, ms * (1 - 1e-9)).IsSatisfied(c));
        }
    }

    [Fact]
    public void Predictions_are_cached_and_described()
    {
        var predictor = new FakePredictor(Space);
        var constraint = new LatencyConstraint(predictor, 0.5);
        var min = ArchConfig.Min(Space);
        for (int i = 0; i < 5; i++) constraint.IsSatisfied(min);
        Assert.Equal(1, predictor.Calls);
        Assert.Equal("predicted latency <= 0.5 ms (fake)", constraint.Describe());
        Assert.EndsWith(" ms predicted", constraint.DescribeCost(min));
    }

    [Fact]
    public void Bad_limit_and_infeasible_or_foreign_constraints_are_refused()
    {
        var predictor = new FakePredictor(Space);
        Assert.Throws<ArgumentOutOfRangeException>("maxMs", () => new LatencyConstraint(predictor, 0));
        Assert.Throws<ArgumentOutOfRangeException>("maxMs", () => new LatencyConstraint(predictor, double.NaN));
        double smallest = predictor.PredictMs(ArchConfig.Min(Space));
        var e = Assert.Throws<ArgumentException>(() => SearchConstraints.EnsureFeasible(Space, [new LatencyConstraint(predictor, smallest / 2)]));
        Assert.Contains("Infeasible budget", e.Message);
        Assert.Contains("ms predicted", e.Message);
        var other = Space with { Classes = 7 };
        e = Assert.Throws<ArgumentException>(() => SearchConstraints.EnsureFeasible(other, [new LatencyConstraint(predictor, 10)]));
        Assert.Contains("another space", e.Message);
    }

    [Fact]
    public void Searches_only_return_subnetworks_under_the_limit()
    {
        var predictor = new FakePredictor(Space);
        var rng = new Random(7);
        var sample = Enumerable.Range(0, 400).Select(_ => predictor.PredictMs(ArchSampling.Sample(Space, rng))).Order().ToArray();
        double limit = sample[sample.Length / 10]; // tight: a tenth of random sub-networks fit
        var constraint = new LatencyConstraint(predictor, limit);
        var evolution = new EvolutionSearch(new EvolutionSearchOptions { PopulationSize = 16, Generations = 4 })
            .Search(Space, new MacsFitness(Space), [constraint], seed: 3);
        var random = new RandomSearch(new RandomSearchOptions { Evaluations = 60 }).Search(Space, new MacsFitness(Space), [constraint], seed: 3);
        foreach (var result in new[] { evolution, random })
        {
            Assert.All(result.Candidates, c => Assert.True(constraint.PredictMs(c.Config) <= limit, $"{c.Config}: {constraint.PredictMs(c.Config)} ms > {limit} ms"));
            Assert.True(constraint.PredictMs(result.Best.Config) > 0.8 * limit, "the best should sit near the limit (bigger is better here)");
        }
        // The shrinking repair on its own: any sample, shrunk until the latency fits.
        for (int i = 0; i < 50; i++)
        {
            var shrunk = ArchEvolution.ShrinkToFit(Space, ArchSampling.Sample(Space, rng), constraint.IsSatisfied, rng);
            Assert.True(constraint.IsSatisfied(shrunk));
        }
    }
}
