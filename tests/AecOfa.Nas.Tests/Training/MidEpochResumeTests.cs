using AecOfa.Engine.IO;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>
/// A run killed inside an epoch (here: cancelled right after a step chosen by a seeded generator, with a checkpoint
/// after every step) and resumed in a fresh network reaches bitwise the weights, buffers, optimizer state and
/// per-epoch mean losses of the uninterrupted run — for the sandwich rule, for progressive shrinking inside an
/// expand phase (after its channel sort, with a frozen teacher), and for a standalone fixed network.
/// </summary>
public sealed class MidEpochResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-midepoch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Everything that must come out identical, plus what the runs reported.</summary>
    private sealed record Outcome(Dictionary<string, float[]> State, OptimizerState Optimizer, TrainingResult Result, List<string> PhasesStarted);

    private sealed record Setup(Func<IArchNetwork> Network, Func<ITrainingStrategy> Strategy, Func<FrozenTeacher?> Teacher, ITrainingData Data, TrainerOptions Options);

    private Outcome Train(Setup s, TrainerOptions options, int cancelAfterStep = -1, string? cancelAfterPhase = null)
    {
        var network = s.Network();
        var trainer = new Trainer(network, s.Strategy(), options, s.Teacher());
        var started = new List<string>();
        using var cts = new CancellationTokenSource();
        var callbacks = new TrainingCallbacks
        {
            PhaseStarted = p => started.Add(p.Name),
            StepCompleted = r => { if (r.Step == cancelAfterStep) cts.Cancel(); },
            EpochCompleted = e => { if (e.Phase == cancelAfterPhase) cts.Cancel(); },
        };
        if (cancelAfterStep >= 0 || cancelAfterPhase is not null)
        {
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Run(s.Data, callbacks, cts.Token));
            return new Outcome(TrainingSnapshots.State(network.Module), trainer.Optimizer.ExportState(), null!, started);
        }
        var result = trainer.Run(s.Data, callbacks, cts.Token);
        return new Outcome(TrainingSnapshots.State(network.Module), trainer.Optimizer.ExportState(), result, started);
    }

    /// <summary>Runs uninterrupted, then interrupted after <paramref name="cancelAfterStep"/> and resumed; compares.</summary>
    private (Outcome Reference, Outcome Resumed) KillAndResume(Setup s, long cancelAfterStep, TrainerOptions? resumeOptions = null)
    {
        var reference = Train(s, s.Options with { CheckpointPath = Path.Combine(_dir, $"ref-{Guid.NewGuid():N}.safetensors") });
        long perEpoch = reference.Result.TotalSteps / reference.Result.Epochs.Count;
        Assert.True((cancelAfterStep + 1) % perEpoch != 0, $"step {cancelAfterStep} must lie inside an epoch, not at its end");

        string path = Path.Combine(_dir, $"run-{Guid.NewGuid():N}.safetensors");
        var options = s.Options with { CheckpointPath = path, CheckpointEverySteps = 1 };
        Train(s, options, (int)cancelAfterStep);
        Assert.True(File.Exists(path));

        var resumed = Train(s, (resumeOptions ?? options) with { CheckpointPath = path, Resume = true });
        Assert.Equal(cancelAfterStep + 1, resumed.Result.ResumedFromStep);
        Assert.Equal(reference.Result.TotalSteps - cancelAfterStep - 1, resumed.Result.Steps.Count);
        for (int i = 0; i < resumed.Result.Steps.Count; i++)
        {
            var a = reference.Result.Steps[(int)cancelAfterStep + 1 + i];
            var b = resumed.Result.Steps[i];
            Assert.Equal((a.Step, a.Phase, a.Epoch, a.LearningRate), (b.Step, b.Phase, b.Epoch, b.LearningRate));
            Assert.Equal(a.Losses.Select(l => (l.Role, Bits(l.Loss))), b.Losses.Select(l => (l.Role, Bits(l.Loss))));
        }

        TrainingSnapshots.AssertBitwiseEqual(reference.State, resumed.State);
        AssertSameOptimizerState(reference.Optimizer, resumed.Optimizer);
        Assert.Equal(reference.Result.Epochs.Count, resumed.Result.Epochs.Count);
        foreach (var (a, b) in reference.Result.Epochs.Zip(resumed.Result.Epochs))
        {
            Assert.Equal((a.Epoch, a.Phase, a.LastLearningRate), (b.Epoch, b.Phase, b.LastLearningRate));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.MeanTotal), BitConverter.DoubleToInt64Bits(b.MeanTotal));
            Assert.Equal(a.MeanLoss.Keys, b.MeanLoss.Keys); // role order too
            Assert.Equal(a.MeanLoss.Values.Select(BitConverter.DoubleToInt64Bits), b.MeanLoss.Values.Select(BitConverter.DoubleToInt64Bits));
        }
        return (reference, resumed);
    }

    private static int Bits(float v) => BitConverter.SingleToInt32Bits(v);

    private static void AssertSameOptimizerState(OptimizerState expected, OptimizerState actual)
    {
        Assert.Equal(expected.OptimizerType, actual.OptimizerType);
        Assert.Equal(expected.StepCount, actual.StepCount);
        Assert.Equal(expected.Parameters.Keys.Order(StringComparer.Ordinal), actual.Parameters.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, p) in expected.Parameters)
        {
            var q = actual.Parameters[name];
            Assert.Equal(p.Step, q.Step);
            foreach (var (buffer, values) in p.Buffers)
                Assert.True(values.AsSpan().SequenceEqual(q.Buffers[buffer]), $"optimizer state {name}.{buffer} differs");
        }
    }

    /// <summary>A step strictly inside an epoch (not its last), drawn by a seeded generator from [first, last).</summary>
    private static long InsideAnEpoch(int seed, long first, long last, long perEpoch)
    {
        var candidates = Enumerable.Range((int)first, (int)(last - first)).Where(s => (s + 1) % perEpoch != 0).ToArray();
        return candidates[new Random(seed).Next(candidates.Length)];
    }

    private static TrainerOptions BaseOptions(int epochs, int batch) => new()
    {
        Epochs = epochs,
        BatchSize = batch,
        Seed = 9,
        PeakLearningRate = 0.1f,
        WarmupEpochs = 1,
        CheckpointInterval = null, // only the step rule: where checkpoints fall is part of what is tested
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Sandwich_resumed_from_inside_an_epoch_is_bitwise_the_uninterrupted_run(int seed)
    {
        var data = new TrainingTestData(10, TinySupernet.Space.Classes, seed: 8); // 5 steps per epoch at batch 2
        var setup = new Setup(() => TinySupernet.Build(41), () => new SandwichStrategy(2), () => null, data, BaseOptions(3, 2));
        long step = InsideAnEpoch(seed, 0, 15, 5);
        KillAndResume(setup, step);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Progressive_shrinking_resumed_inside_an_expand_phase_after_its_sort_is_bitwise_the_uninterrupted_run(int seed, bool resetOptimizer)
    {
        var space = TinySupernet.Space;
        var data = new TrainingTestData(9, space.Classes, seed: 5); // 3 steps per epoch at batch 3
        var teacher = new FrozenTeacher(TinySupernet.Build(44), ArchConfig.Max(space)); // a separate network, shared by all three runs
        var setup = new Setup(
            () => TinySupernet.Build(43),
            () => new ProgressiveShrinkingStrategy(distillWeight: 0.5f, resetOptimizerPerPhase: resetOptimizer),
            () => teacher,
            data,
            BaseOptions(5, 3));
        var phases = new ProgressiveShrinkingStrategy().Phases(space, 5);
        int expand = phases.ToList().FindIndex(p => p.Name == "expand1");
        long first = 3L * phases.Take(expand).Sum(p => p.Epochs), last = first + 3L * phases[expand].Epochs;
        long step = InsideAnEpoch(seed, first, last, 3);
        Assert.NotNull(phases[expand].SortTrainedExpandRatios);

        var teacherNet = teacher.Network;
        var teacherBefore = TrainingSnapshots.State(teacherNet.Module);
        var (reference, resumed) = KillAndResume(setup, step);

        Assert.Equal(["kernel", "depth1", "depth2", "expand1", "resolution"], reference.PhasesStarted);
        Assert.Equal(["resolution"], resumed.PhasesStarted); // the expand phase is not restarted: no second sort
        Assert.All(resumed.Result.Steps.Where(s => s.Phase == "expand1"), s => Assert.Equal(4, s.Losses.Count));
        TrainingSnapshots.AssertBitwiseEqual(teacherBefore, TrainingSnapshots.State(teacherNet.Module));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Progressive_shrinking_resumed_at_the_boundary_before_an_expand_phase_sorts_once_on_resume(bool resetOptimizer)
    {
        // Killed right after the last checkpoint of the depth phase: the expand phase's sort (and optimizer reset)
        // has not happened yet, so the resumed run must do it, exactly once, on the restored weights and momentum.
        var space = TinySupernet.Space;
        var data = new TrainingTestData(9, space.Classes, seed: 5);
        var teacher = new FrozenTeacher(TinySupernet.Build(44), ArchConfig.Max(space));
        var setup = new Setup(() => TinySupernet.Build(43),
            () => new ProgressiveShrinkingStrategy(distillWeight: 0.5f, resetOptimizerPerPhase: resetOptimizer), () => teacher, data, BaseOptions(5, 3));
        var reference = Train(setup, setup.Options);
        string path = Path.Combine(_dir, $"boundary-{resetOptimizer}.safetensors");
        var interrupted = Train(setup, setup.Options with { CheckpointPath = path }, cancelAfterPhase: "depth2");
        // Cancellation is checked before the first step of expand1, after its sort: the sort happened in memory only
        // (like a kill -9 right after it), and the checkpoint still holds the depth phase's end.
        Assert.Equal(["kernel", "depth1", "depth2", "expand1"], interrupted.PhasesStarted);
        var resumed = Train(setup, setup.Options with { CheckpointPath = path, Resume = true });
        Assert.Equal(["expand1", "resolution"], resumed.PhasesStarted);
        Assert.Equal(9, resumed.Result.ResumedFromStep);
        TrainingSnapshots.AssertBitwiseEqual(reference.State, resumed.State);
        AssertSameOptimizerState(reference.Optimizer, resumed.Optimizer);
        Assert.Equal(reference.Result.Epochs.Select(e => e.MeanTotal), resumed.Result.Epochs.Select(e => e.MeanTotal));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Standalone_fixed_network_resumed_from_inside_an_epoch_is_bitwise_the_uninterrupted_run(int seed)
    {
        var space = TinySupernet.Space; // dropout 0.1: the masks must be reproduced as well
        var config = ArchConfig.Uniform(space, depth: 2, kernel: 3, expand: 3, melBins: 8, hopFactor: 2);
        var data = new TrainingTestData(10, space.Classes, seed: 6);
        var setup = new Setup(() =>
        {
            var net = new StaticMbv3Network(space, config, 12);
            TinySupernet.Randomize(net, new Random(13));
            return net;
        }, () => new StandaloneStrategy(config), () => null, data, BaseOptions(3, 2));
        long step = InsideAnEpoch(seed, 0, 15, 5);
        // Neither the checkpoint frequency nor prefetching is part of the run: the resumed half may differ in both.
        KillAndResume(setup, step, setup.Options with { CheckpointEverySteps = 3, PrefetchBatches = false });
    }

    [Fact]
    public void Resume_with_a_changed_setting_is_refused_naming_each_setting_and_touches_nothing()
    {
        var data = new TrainingTestData(8, TinySupernet.Space.Classes, seed: 3);
        string path = Path.Combine(_dir, "refuse.safetensors");
        var options = BaseOptions(2, 2) with { CheckpointPath = path, CheckpointEverySteps = 1, DataIdentity = "manifest-A" };
        using (var cts = new CancellationTokenSource())
        {
            var first = new Trainer(TinySupernet.Build(41), new SandwichStrategy(1), options);
            Assert.ThrowsAny<OperationCanceledException>(() => first.Run(data, new TrainingCallbacks { StepCompleted = r => { if (r.Step == 1) cts.Cancel(); } }, cts.Token));
        }
        var bytes = File.ReadAllBytes(path);

        void Refused(TrainerOptions changed, params string[] expected)
        {
            var net = TinySupernet.Build(41);
            var before = TrainingSnapshots.State(net);
            var trainer = new Trainer(net, new SandwichStrategy(1), changed with { Resume = true });
            var e = Assert.Throws<CheckpointException>(() => trainer.Run(data));
            foreach (var text in expected) Assert.Contains(text, e.Message);
            Assert.Contains(path, e.Message);
            TrainingSnapshots.AssertBitwiseEqual(before, TrainingSnapshots.State(net)); // nothing loaded
            Assert.Equal(0, trainer.Optimizer.StepCount);
            Assert.Equal(bytes, File.ReadAllBytes(path)); // nothing written
        }

        Refused(options with { LabelSmoothing = 0.5f }, "label_smoothing was '0', this run has '0.5'");
        Refused(options with { DataIdentity = "manifest-B" }, "data was 'manifest-A', this run has 'manifest-B'");
        Refused(options with { LabelSmoothing = 0.1f, DataIdentity = "manifest-B", Task = TaskKind.SingleLabel },
            "label_smoothing was", "data was", "task was 'MultiLabel', this run has 'SingleLabel'");
        Refused(options with { DistillTemperature = 3f }, "distill_temperature was '1', this run has '3'");

        // A changed checkpoint frequency is not a different run.
        var accepted = new Trainer(TinySupernet.Build(41), new SandwichStrategy(1), options with { Resume = true, CheckpointEverySteps = 0 }).Run(data);
        Assert.Equal(2, accepted.ResumedFromStep);
    }

    [Fact]
    public void A_resumed_epoch_reports_the_seconds_spent_before_the_interruption_too()
    {
        var data = new TrainingTestData(10, TinySupernet.Space.Classes, seed: 8);
        string path = Path.Combine(_dir, "seconds.safetensors");
        var options = BaseOptions(1, 2) with { CheckpointPath = path, CheckpointEverySteps = 1 };
        using (var cts = new CancellationTokenSource())
        {
            var first = new Trainer(TinySupernet.Build(41), new FullNetworkStrategy(), options);
            Assert.ThrowsAny<OperationCanceledException>(() => first.Run(data, new TrainingCallbacks
            {
                StepCompleted = r =>
                {
                    if (r.Step != 2) return;
                    Thread.Sleep(1500); // the interrupted part of the epoch takes at least 1.5 s
                    cts.Cancel();
                },
            }, cts.Token));
        }
        var resumed = new Trainer(TinySupernet.Build(41), new FullNetworkStrategy(), options with { Resume = true }).Run(data);
        Assert.Equal(3, resumed.ResumedFromStep);
        Assert.True(resumed.Epochs[0].Seconds >= 1.5, $"epoch 1 took at least 1.5 s before the interruption; reported {resumed.Epochs[0].Seconds:F3} s");
    }
}
