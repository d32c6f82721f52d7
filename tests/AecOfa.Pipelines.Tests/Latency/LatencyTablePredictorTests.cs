using AecOfa.Audio.Features;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Pipelines.Latency;
using AecOfa.Pipelines.Search;

namespace AecOfa.Pipelines.Tests.Latency;

/// <summary>A latency table (measured on a fake clock: every part 0.2 ms) as the search's latency predictor and
/// constraint, and the search settings that carry it.</summary>
public sealed class LatencyTablePredictorTests
{
    private sealed class StepClock(long step) : ILatencyClock
    {
        private long _now;
        public long Frequency => 1_000_000;
        public long GetTimestamp() => _now += step;
    }

    private static LatencyTable FakeTable() => new LatencyProfiler(TinySupernet.Space, new LatencyProfilerOptions
    {
        Warmup = 0,
        Repeats = 1,
        BatchSizes = [1],
        LogMel = new LogMelOptions { MelBins = 8, HopLength = 400 },
        ClipSeconds = 0.275,
        ProcessWarmupRuns = 0,
        Clock = new StepClock(200), // every interval 200 µs
    }).BuildTable();

    [Fact]
    public void Predicts_the_tables_sum_and_limits_the_search()
    {
        var table = FakeTable();
        var predictor = new LatencyTablePredictor(table, sourceName: "fake.json");
        Assert.Equal(TinySupernet.Space, predictor.Space);
        var space = TinySupernet.Space;
        var rng = new Random(2);
        for (int i = 0; i < 10; i++)
        {
            var c = ArchSampling.Sample(space, rng);
            Assert.Equal(table.Predict(c), predictor.PredictMs(c), 12);
            Assert.Equal(0.2 * (c.ActiveBlocks + 3), predictor.PredictMs(c), 9);
        }
        // 0.2 ms per part: a 1.3 ms limit admits at most 3 blocks.
        var constraint = new LatencyConstraint(predictor, 1.3);
        Assert.Contains("fake.json, batch 1, medians, network only", constraint.Describe());
        Assert.True(constraint.IsSatisfied(ArchConfig.Uniform(space, 1, 3, 2)));   // 2 blocks: 1.0 ms
        Assert.False(constraint.IsSatisfied(ArchConfig.Uniform(space, 3, 3, 2)));  // 6 blocks: 1.8 ms
        var result = new EvolutionSearch(new EvolutionSearchOptions { PopulationSize = 8, Generations = 3 })
            .Search(space, new BlocksFitness(), [constraint], seed: 1);
        Assert.All(result.Candidates, c => Assert.True(c.Config.ActiveBlocks <= 3, c.Config.ToString()));
        Assert.Equal(3, result.Best.Config.ActiveBlocks);
    }

    [Fact]
    public void Incomplete_tables_and_missing_batches_are_refused_by_name()
    {
        var table = FakeTable();
        Assert.Throws<ArgumentException>("batch", () => new LatencyTablePredictor(table, batch: 8));
        var parts = new Dictionary<string, Dictionary<string, LatencyStats>>(table.Parts, StringComparer.Ordinal);
        parts.Remove(LatencyTable.BlockKey(1, false, 5, 3, 6, 2));
        var broken = new LatencyTable { SpaceJson = table.SpaceJson, BatchSizes = table.BatchSizes, Parts = parts };
        var e = Assert.Throws<ArgumentException>("table", () => new LatencyTablePredictor(broken, sourceName: "t.json"));
        Assert.Contains("t.json: incomplete", e.Message);
    }

    [Fact]
    public void Search_settings_need_the_limit_and_the_model_together()
    {
        var predictor = new LatencyTablePredictor(FakeTable());
        var e = Assert.Throws<ArgumentException>(() => new BudgetSearchSettings { MaxLatencyMs = 1 }.Validate());
        Assert.Contains("--latency-table", e.Message);
        e = Assert.Throws<ArgumentException>(() => new BudgetSearchSettings { LatencyPredictor = predictor }.Validate());
        Assert.Contains("--max-latency-ms", e.Message);
        e = Assert.Throws<ArgumentException>(() => new BudgetSearchSettings { MaxLatencyMs = -1, LatencyPredictor = predictor }.Validate());
        Assert.Contains("--max-latency-ms = -1", e.Message);
        new BudgetSearchSettings { MaxLatencyMs = 1, LatencyPredictor = predictor }.Validate();
    }

    private sealed class BlocksFitness : IFitness
    {
        public double Evaluate(ArchConfig config) => config.ActiveBlocks + 0.01 * config.Kernels.ToArray().Sum();
    }
}
