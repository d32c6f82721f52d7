using System.Collections.Concurrent;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>
/// The tasks of a step run concurrently on the host when two or more threads are allowed (StepTaskRunner): the
/// result must not depend on it, a failure must be the one the sequential loop reports, and nothing of it committed.
/// </summary>
[Collection(nameof(TrainerThreadsCollection))]
public class ConcurrentTasksTests
{
    /// <summary>A supernet that notes which thread ran each forward, and can poison the logits of one config.</summary>
    private sealed class ObservedNetwork(OfaSupernet inner) : IArchNetwork
    {
        public ConcurrentBag<int> Threads { get; } = [];
        public ArchConfig? Poisoned { get; set; }
        public ArchSpace Space => inner.Space;
        public Module Module => inner;
        public bool Contains(ArchConfig config) => inner.Contains(config);
        public string Describe() => inner.Describe();

        public Tensor Forward(Tensor x, ArchConfig config, Random? dropout = null)
        {
            Threads.Add(Environment.CurrentManagedThreadId);
            var logits = inner.Forward(x, config, dropout);
            return Poisoned is not null && config.Equals(Poisoned) ? TensorOps.Add(logits, Tensor.Full(float.NaN, logits.Shape)) : logits;
        }
    }

    private static (Dictionary<string, float[]> State, int Threads) Train(int threads, bool frozenTeacher, int random)
    {
        var net = new ObservedNetwork(TinySupernet.Build(3));
        var teacher = frozenTeacher ? new FrozenTeacher(TinySupernet.Build(11), ArchConfig.Max(TinySupernet.Space)) : null;
        var options = new TrainerOptions { Epochs = 2, BatchSize = 4, Seed = 5, Threads = threads, PrefetchBatches = false, CheckpointInterval = null };
        new Trainer(net, new SandwichStrategy(random, useFrozenTeacher: frozenTeacher), options, teacher).Run(new TrainingTestData(12, TinySupernet.Space.Classes, seed: 4));
        return (net.Module.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray()), net.Threads.Distinct().Count());
    }

    [Theory]
    [InlineData(true, 3)]  // five tasks on two lanes, all distilling from the frozen teacher
    [InlineData(false, 2)] // the students wait for the largest's forward (in-place teacher)
    public void Weights_and_running_statistics_have_the_same_bits_whether_the_tasks_run_on_one_thread_or_concurrently(bool frozenTeacher, int random)
    {
        var (one, oneThreadCount) = Train(1, frozenTeacher, random);
        var (two, twoThreadCount) = Train(2, frozenTeacher, random);
        var (again, _) = Train(2, frozenTeacher, random);
        Assert.Equal(1, oneThreadCount);
        if (WorkerPool.MaxThreads >= 2) Assert.Equal(2, twoThreadCount); // the tasks really did run on two threads
        Assert.Equal(one.Keys, two.Keys);
        foreach (var (name, values) in one)
        {
            Assert.True(values.SequenceEqual(two[name]), $"{name} differs between one thread and two");
            Assert.True(values.SequenceEqual(again[name]), $"{name} differs between two runs at two threads");
        }
        Assert.Contains(one.Keys, k => k.EndsWith("running_var", StringComparison.Ordinal)); // statistics are compared too
    }

    [Fact]
    public void A_failing_student_is_reported_by_its_role_and_nothing_it_or_the_others_wrote_is_left_pending()
    {
        var space = TinySupernet.Space;
        var data = new TrainingTestData(4, space.Classes, seed: 2);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 4, Seed = 1, Threads = 2 };
        var net = new ObservedNetwork(TinySupernet.Build(3)) { Poisoned = ArchConfig.Min(space) };
        var trainer = new Trainer(net, new SandwichStrategy(2), options);
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.AccumulateGradients(data.Features, data.Targets, 0));
        Assert.Equal("sandwich/smallest", e.LossName); // task 1 of 4: the lowest failing index, as the sequential loop
        Assert.Equal(0, trainer.Optimizer.StepCount);
        // No task's batch-norm running statistics were applied, not even those of the largest (task 0), which succeeded.
        var fresh = TinySupernet.Build(3).StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray());
        foreach (var (name, t) in net.Module.StateDict())
            Assert.True(fresh[name].SequenceEqual(t.Data), $"{name} changed in a failed step");

        // The same step again on the same trainer, healthy: the same gradients as a fresh trainer's. Had the failed
        // step's deferred gradients (of the random sub-networks that did not fail) been kept, they would be added twice.
        net.Poisoned = null;
        trainer.AccumulateGradients(data.Features, data.Targets, 0);
        var healthy = new ObservedNetwork(TinySupernet.Build(3));
        new Trainer(healthy, new SandwichStrategy(2), options).AccumulateGradients(data.Features, data.Targets, 0);
        var a = healthy.Module.Parameters().ToArray();
        var b = net.Module.Parameters().ToArray();
        for (int i = 0; i < a.Length; i++)
            Assert.Equal(a[i].Grad?.Data, b[i].Grad?.Data);
    }

    [Fact]
    public void Every_epoch_records_the_thread_count_its_steps_ran_with_and_a_checkpoint_keeps_it()
    {
        var dir = Directory.CreateTempSubdirectory("aecofa-threads-");
        try
        {
            string checkpoint = Path.Combine(dir.FullName, "checkpoint.safetensors");
            var data = new TrainingTestData(8, TinySupernet.Space.Classes, seed: 4);
            var options = new TrainerOptions { Epochs = 2, BatchSize = 4, Seed = 5, Threads = 2, PrefetchBatches = false, CheckpointInterval = null, CheckpointPath = checkpoint };
            var first = new Trainer(TinySupernet.Build(3), new SandwichStrategy(1), options).Run(data);
            int expected = Math.Min(2, WorkerPool.MaxThreads);
            Assert.All(first.Epochs, e => Assert.Equal(expected, e.Threads));

            // A finished run read back from its checkpoint reports the same epochs, threads included.
            var again = new Trainer(TinySupernet.Build(3), new SandwichStrategy(1), options with { Threads = 1, Resume = true }).Run(data);
            Assert.Equal(first.Epochs.Select(e => e.Threads), again.Epochs.Select(e => e.Threads));
            var one = new Trainer(TinySupernet.Build(3), new SandwichStrategy(1), options with { Threads = 1, CheckpointPath = null }).Run(data);
            Assert.All(one.Epochs, e => Assert.Equal(1, e.Threads));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>a (labels, teacher) -> b (labels + kd from a, itself a teacher) -> c (learns from b).</summary>
    private sealed class TeacherChain : ITrainingStrategy
    {
        public string Name => "chain";
        public bool NeedsFrozenTeacher => false;
        public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, ["a", "b", "c"])];
        public string Describe() => Name;

        public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) =>
        [
            new("a", ArchConfig.Max(phase.Space), SubnetTarget.Labels, IsTeacher: true, UseDropout: false),
            new("b", ArchConfig.Min(phase.Space), SubnetTarget.LabelsAndTeacher, IsTeacher: true, UseDropout: false),
            new("c", ArchConfig.Min(phase.Space), SubnetTarget.Teacher, IsTeacher: false, UseDropout: false),
        ];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_failed_teacher_whose_student_is_itself_a_teacher_fails_the_step_instead_of_hanging_it(int threads)
    {
        var space = TinySupernet.Space;
        var data = new TrainingTestData(4, space.Classes, seed: 2);
        var net = new ObservedNetwork(TinySupernet.Build(3)) { Poisoned = ArchConfig.Max(space) };
        var trainer = new Trainer(net, new TeacherChain(), new TrainerOptions { Epochs = 1, BatchSize = 4, Seed = 1, Threads = threads });
        var step = Task.Run(() => trainer.AccumulateGradients(data.Features, data.Targets, 0));
        var finished = await Task.WhenAny(step, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(ReferenceEquals(finished, step), "the step hung");
        var e = await Assert.ThrowsAsync<NonFiniteLossException>(() => step);
        Assert.Equal("chain/a", e.LossName);
    }
}
