using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

public class ThreadCountTunerTests
{
    /// <summary>Feeds the tuner a fake clock: seconds per step as a function of the thread count it asked for.</summary>
    private static List<int> Drive(ThreadCountTuner tuner, Func<int, double> secondsAt, int steps, List<ThreadCountDecision> decisions)
    {
        var asked = new List<int>();
        for (int i = 0; i < steps; i++)
        {
            int t = tuner.ThreadsForNextStep();
            asked.Add(t);
            if (tuner.Record(secondsAt(t)) is { } d) decisions.Add(d);
        }
        return asked;
    }

    [Fact]
    public void Warms_up_then_alternates_all_threads_and_one_then_keeps_the_faster()
    {
        var tuner = new ThreadCountTuner(maxThreads: 4, probeStepsPerArm: 3, warmupSteps: 2);
        var decisions = new List<ThreadCountDecision>();
        var asked = Drive(tuner, t => t == 1 ? 0.10 : 0.25, 12, decisions); // a host where the second thread hurts
        Assert.Equal([4, 4, 4, 1, 4, 1, 4, 1, 1, 1, 1, 1], asked);
        var d = Assert.Single(decisions);
        Assert.Equal(1, d.Threads);
        Assert.Equal(0.25, d.SecondsAtMax);
        Assert.Equal(0.10, d.SecondsAtOne);
        Assert.Equal(0.4, d.SpeedupOverOneThread, 12);
        Assert.False(tuner.Probing);
    }

    [Fact]
    public void Keeps_all_threads_when_they_are_faster_or_equal_and_decides_by_median()
    {
        var decisions = new List<ThreadCountDecision>();
        var tuner = new ThreadCountTuner(2, probeStepsPerArm: 3, warmupSteps: 0);
        int n = 0;
        // One outlier step at 2 threads (host noise) does not flip the choice: medians 0.1 vs 0.15.
        Drive(tuner, t => t == 2 ? (n++ == 1 ? 9.0 : 0.1) : 0.15, 6, decisions);
        Assert.Equal(2, Assert.Single(decisions).Threads);
        Assert.Equal(1.5, decisions[0].SpeedupOverOneThread, 12);

        var tie = new ThreadCountTuner(2, probeStepsPerArm: 1, warmupSteps: 0);
        decisions.Clear();
        Drive(tie, _ => 0.2, 2, decisions);
        Assert.Equal(2, Assert.Single(decisions).Threads); // ties go to all threads
    }

    [Fact]
    public void Reprobe_measures_again_starting_from_the_last_choice()
    {
        var decisions = new List<ThreadCountDecision>();
        var tuner = new ThreadCountTuner(2, probeStepsPerArm: 1, warmupSteps: 1);
        Drive(tuner, t => t == 1 ? 0.1 : 0.2, 3, decisions);
        Assert.Equal(1, decisions[^1].Threads);
        tuner.Reprobe();
        Assert.True(tuner.Probing);
        Assert.Equal(1, tuner.ThreadsForNextStep()); // warm-up keeps the last choice
        var asked = Drive(tuner, t => t == 1 ? 0.3 : 0.2, 4, decisions); // the load changed: now two threads win
        Assert.Equal([1, 2, 1, 2], asked);
        Assert.Equal(2, decisions[^1].Threads);
    }

    /// <summary>A tuner that decided on 2 threads at the given speedup over one thread (steps of 0.1 s at 2 threads).</summary>
    private static ThreadCountTuner Decided(double speedup)
    {
        var tuner = new ThreadCountTuner(2, probeStepsPerArm: 1, warmupSteps: 0);
        var decisions = new List<ThreadCountDecision>();
        Drive(tuner, t => t == 1 ? 0.1 * speedup : 0.1, 2, decisions);
        Assert.Equal(2, Assert.Single(decisions).Threads);
        return tuner;
    }

    /// <summary>Runs one epoch of steps of the given length at the decided count; returns whether the tuner measures again.</summary>
    private static bool Epoch(ThreadCountTuner tuner, double seconds, int steps = 5, int threads = 2)
    {
        for (int i = 0; i < steps; i++)
        {
            Assert.Equal(threads, tuner.ThreadsForNextStep());
            Assert.Null(tuner.Record(seconds));
        }
        Assert.Null(tuner.EpochCompleted());
        return tuner.Probing;
    }

    [Theory]
    [InlineData(2.0, ThreadCountTuner.ClearDecisionEpochs)]  // lanes on a 2-vCPU host: measuring again costs a step per one-thread probe
    [InlineData(1.1, ThreadCountTuner.CloseDecisionEpochs)]  // close: checked sooner
    public void A_steady_load_is_measured_again_after_the_decision_ages(double speedup, int epochs)
    {
        var tuner = Decided(speedup);
        for (int e = 1; e < epochs; e++) Assert.False(Epoch(tuner, 0.1), $"epoch {e}");
        Assert.True(Epoch(tuner, 0.1));
        Assert.True(tuner.Probing);
        Assert.Equal(2, tuner.ThreadsForNextStep()); // probing starts from the last choice
    }

    [Theory]
    [InlineData(0.13)] // slower by 1.3x: another process took a core
    [InlineData(0.07)] // faster by 1.4x: the load went away
    public void A_changed_step_time_is_measured_again_at_once(double seconds)
    {
        var tuner = Decided(2.0);
        Assert.False(Epoch(tuner, 0.1));        // the first epoch after the decision sets the baseline
        Assert.False(Epoch(tuner, 0.12));       // within 1.25x: noise
        Assert.Null(tuner.EpochCompleted());    // an epoch without steps is no change of load
        Assert.False(tuner.Probing);
        Assert.True(Epoch(tuner, seconds));
        Assert.True(tuner.Probing);
    }

    [Theory]
    [InlineData(0.12, 2)]  // the first epoch at one thread ran slower than the last at two: back to two
    [InlineData(0.105, 1)] // within 1.1x: the switch holds
    public void A_switch_that_runs_slower_for_a_whole_epoch_is_undone(double secondsAtOne, int kept)
    {
        var tuner = Decided(1.1); // close: measured again after 5 epochs
        for (int e = 1; e < ThreadCountTuner.CloseDecisionEpochs; e++) Assert.False(Epoch(tuner, 0.10));
        Assert.True(Epoch(tuner, 0.10));
        var decisions = new List<ThreadCountDecision>();
        Drive(tuner, t => t == 1 ? 0.09 : 0.10, 2, decisions); // a noisy measurement: one thread looks faster
        Assert.Equal(1, Assert.Single(decisions).Threads);
        for (int i = 0; i < 5; i++) Assert.Null(tuner.Record(secondsAtOne));
        var back = tuner.EpochCompleted();
        Assert.Equal(kept, tuner.ThreadsForNextStep());
        if (kept == 2) Assert.True(back is { Threads: 2, SwitchedBack: true });
        else Assert.Null(back);
        Assert.False(tuner.Probing);
    }

    [Fact]
    public void Rejects_what_cannot_be_tuned()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadCountTuner(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadCountTuner(2, probeStepsPerArm: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadCountTuner(2, warmupSteps: -1));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { Threads = -1 }.Validate());
        Assert.Contains("Threads", ex.Message);
    }
}

/// <summary>
/// The tuner may switch thread counts between steps, so a run's results must not depend on the thread count: a
/// sandwich run on a network big enough for the kernels to split over threads (width 0.25 on 32x51 inputs: maps of
/// 8 x 48 x 16 x 26 = 160k elements, over the pool's parallel threshold) gives the same bits at 1, 2 and measured threads.
/// </summary>
[Collection(nameof(TrainerThreadsCollection))]
public class TrainerThreadCountTests
{
    private static readonly ArchSpace Space = ArchSpace.Default with
    {
        WidthMultiplier = 0.25,
        Classes = 4,
        Input = ArchSpace.Default.Input with { MelBins = 32, Frames = 51 },
    };

    private sealed class Data(int count, int seed) : ITrainingData
    {
        private readonly Tensor _x = Tensor.Randn(new Random(seed), 1f, count, 1, Space.Input.MelBins, Space.Input.Frames);
        private readonly Tensor _y = Targets(count, seed);

        private static Tensor Targets(int count, int seed)
        {
            var rng = new Random(seed + 1);
            var y = Tensor.Zeros(count, Space.Classes);
            for (int i = 0; i < count; i++) y[i, rng.Next(Space.Classes)] = 1f;
            return y;
        }

        public int Count => count;

        public (Tensor Features, Tensor Targets) Batch(ReadOnlySpan<int> positions, Random augmentation)
        {
            int per = _x.Numel / count;
            var x = Tensor.Zeros(positions.Length, 1, Space.Input.MelBins, Space.Input.Frames);
            var y = Tensor.Zeros(positions.Length, Space.Classes);
            for (int i = 0; i < positions.Length; i++)
            {
                _x.Span.Slice(positions[i] * per, per).CopyTo(x.Span.Slice(i * per, per));
                _y.Span.Slice(positions[i] * Space.Classes, Space.Classes).CopyTo(y.Span.Slice(i * Space.Classes, Space.Classes));
            }
            return (x, y);
        }
    }

    private static (float[] Weights, List<ThreadCountDecision> Decisions) Train(int threads)
    {
        var net = new OfaSupernet(Space, seed: 3);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 8, Seed = 5, Threads = threads, PrefetchBatches = false, CheckpointInterval = null };
        var decisions = new List<ThreadCountDecision>();
        new Trainer(net, new SandwichStrategy(1), options).Run(new Data(80, 7), new TrainingCallbacks { ThreadsChosen = decisions.Add });
        return (net.Parameters().SelectMany(p => p.Data).ToArray(), decisions);
    }

    [Fact]
    public void Training_gives_the_same_bits_at_one_two_and_measured_threads_and_leaves_the_pool_as_it_was()
    {
        int globalBefore = WorkerPool.MaxThreads;
        var (one, none) = Train(1);
        Assert.Empty(none); // a fixed thread count is never measured
        var (two, _) = Train(2);
        var (auto, decisions) = Train(0);
        Assert.Equal(one, two);
        Assert.Equal(one, auto);
        if (globalBefore > 1)
        {
            var d = Assert.Single(decisions); // 10 steps: 2 warm-up + 3 x 2 probe steps, then the choice
            Assert.InRange(d.Threads, 1, globalBefore);
        }
        Assert.Equal(globalBefore, WorkerPool.MaxThreads);
        Assert.Equal(0, WorkerPool.CallingThreadLimit);
    }
}

[CollectionDefinition(nameof(TrainerThreadsCollection), DisableParallelization = true)]
public sealed class TrainerThreadsCollection
{
}
