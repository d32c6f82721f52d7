using AecOfa.Audio.Features;
using AecOfa.Pipelines.Latency;
using AecOfa.Nas.Space;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Pipelines.Tests.Latency;

public sealed class LatencyTableTests
{
    /// <summary>Every timestamp read advances by the next step of a fixed cycle, so run i of any measurement takes a
    /// known time and medians are predictable.</summary>
    private sealed class FakeClock(params long[] steps) : ILatencyClock
    {
        private long _now;
        private int _reads;

        public long Frequency => 1_000_000; // 1 tick = 1 µs

        public long GetTimestamp()
        {
            // A measurement reads twice (before, after): the interval is the step of the second read.
            _now += steps[_reads++ % steps.Length];
            return _now;
        }
    }

    private static readonly LatencyProfilerOptions FakeOptions = new()
    {
        Warmup = 1,
        Repeats = 3,
        BatchSizes = [1, 4],
        LogMel = new LogMelOptions { MelBins = 8, HopLength = 400 },
        ClipSeconds = 0.275, // 12 frames
        ProcessWarmupRuns = 1,
        Path = LatencyPath.Eval, // the tests below count clock reads of parts measured on their own
    };

    [Fact]
    public void PredictionIsTheSumOfItsParts_OnAFakeClock()
    {
        // Intervals 100 µs, 300 µs, 200 µs → median 200 µs = 0.2 ms for every part and batch.
        var profiler = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Clock = new FakeClock(1, 100, 1, 300, 1, 200) });
        var table = profiler.BuildTable();
        Assert.Equal(profiler.PartCount, table.Parts.Count);
        Assert.All(table.Parts.Values.SelectMany(b => b.Values), s =>
        {
            Assert.Equal(0.2, s.MedianMs, 12);
            Assert.Equal(0.1, s.MinMs, 12);
            Assert.Equal(0.3, s.MaxMs, 12);
            Assert.Equal(3, s.Runs);
        });
        var rng = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            var config = ArchSampling.Sample(TinySupernet.Space, rng);
            var parts = LatencyTable.NetworkParts(config);
            Assert.Equal(config.ActiveBlocks + 3, parts.Count); // resample, stem, blocks, head
            Assert.Equal(parts.Sum(p => table.Ms(p)), table.Predict(config), 12);
            Assert.Equal(0.2 * parts.Count, table.Predict(config), 9);
            Assert.Equal(0.2 * parts.Count + 0.2 * 4, table.Predict(config, batch: 4, includeFrontEnd: true), 9); // + the front end per clip
        }
    }

    [Fact]
    public void TableHasEveryVariantOfTheSpace_AndRoundTripsThroughJson()
    {
        var table = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Clock = new FakeClock(1, 50) }).BuildTable();
        var space = TinySupernet.Space;
        foreach (int mel in space.Input.MelBinSet)
            foreach (int hop in space.Input.HopFactorSet)
                for (int s = 0; s < space.StageCount; s++)
                    foreach (bool first in new[] { true, false })
                        foreach (int k in space.KernelChoices)
                            foreach (int e in space.ExpandChoices)
                                Assert.True(table.Parts.ContainsKey(LatencyTable.BlockKey(s, first, k, e, mel, hop)));
        Assert.True(table.Parts.ContainsKey(LatencyTable.FrontEndKey));
        var back = LatencyTable.FromJson(table.ToJson());
        var config = ArchConfig.Max(space);
        Assert.Equal(table.Predict(config, 4, includeFrontEnd: true), back.Predict(config, 4, includeFrontEnd: true), 12);
        Assert.Equal(table.Parts.Keys.Order(), back.Parts.Keys.Order());
        Assert.Throws<FormatException>(() => LatencyTable.FromJson("{\"format\":\"other\"}"));
    }

    [Fact]
    public void Check_ComparesWholeNetworksWithThePrediction()
    {
        var profiler = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Clock = new FakeClock(1, 1000) });
        var table = profiler.BuildTable();
        var configs = new[] { ArchConfig.Min(TinySupernet.Space), ArchConfig.Max(TinySupernet.Space) };
        var rows = profiler.Check(table, configs);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(1.0, r.MeasuredMs, 12)); // one fake interval per whole network
        Assert.Equal((LatencyTable.NetworkParts(configs[1]).Count - 1) / 1.0, rows[1].RelativeError, 9);
        var summary = LatencyProfiler.Summarize(rows);
        Assert.Equal(0.0, summary.Within15);
    }

    /// <summary>Every timestamp read advances by the same step.</summary>
    private sealed class StepClock(long step) : ILatencyClock
    {
        private long _now;
        public long Frequency => 1_000_000;
        public long GetTimestamp() => _now += step;
    }

    [Fact]
    public void PlanPath_TimesEveryPartInsideWholeCompiledNetworks()
    {
        // Each interval (two reads) is 100 µs: every part 0.1 ms per example, 0.4 ms at batch 4.
        var profiler = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Path = LatencyPath.Plan, Clock = new StepClock(100) });
        var table = profiler.BuildTable();
        Assert.Equal(LatencyTable.PlanPath, table.Path);
        Assert.Equal(profiler.PartCount, table.Parts.Count);
        foreach (var (key, byBatch) in table.Parts)
        {
            if (key == LatencyTable.FrontEndKey) continue;
            Assert.Equal(0.1, byBatch["1"].MedianMs, 12);
            Assert.Equal(0.4, byBatch["4"].MedianMs, 12);
        }
        var configs = new[] { ArchConfig.Min(TinySupernet.Space), ArchConfig.Max(TinySupernet.Space) };
        var rows = profiler.Check(table, configs);
        Assert.All(rows, r => Assert.Equal(0.1, r.MeasuredMs, 12)); // one interval per whole network
        Assert.Equal(0.1 * LatencyTable.NetworkParts(configs[1]).Count, rows[1].PredictedMs, 9);
        Assert.Equal(LatencyTable.EvalPath, LatencyTable.FromJson("{\"format\":\"" + LatencyTable.FormatValue + "\"}").Path); // old tables
    }

    [Fact]
    public void PlanPath_RealClock_MeasuresPositiveTimes()
    {
        var profiler = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Path = LatencyPath.Plan, Clock = StopwatchClock.Instance, BatchSizes = [1] });
        var table = profiler.BuildTable();
        Assert.All(table.Parts.Values.SelectMany(b => b.Values), s => Assert.True(s.MedianMs >= 0));
        Assert.True(table.Predict(ArchConfig.Max(TinySupernet.Space)) > 0);
    }

    [Fact]
    public void RealClock_MeasuresPositiveTimes()
    {
        var table = new LatencyProfiler(TinySupernet.Space, FakeOptions with { Repeats = 1, Warmup = 0, BatchSizes = [1] }).BuildTable();
        Assert.All(table.Parts.Values.SelectMany(b => b.Values), s => Assert.True(s.MedianMs >= 0));
        Assert.True(table.Predict(ArchConfig.Max(TinySupernet.Space)) > 0);
    }
}
