using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

public class TrainingGuardTests
{
    [Fact]
    public void A_nan_loss_stops_training_naming_the_step_and_sub_network_before_any_update()
    {
        var data = new TrainingTestData(8, TinySupernet.Space.Classes, seed: 2);
        // Every example is poisoned, so the very first step fails and "no update" can be checked unconditionally
        // against the weights before training (a single poisoned example could land in a later batch).
        int perExample = data.Features.Numel / data.Count;
        for (int example = 0; example < data.Count; example++) data.Features.Span.Slice(example * perExample, 3).Fill(float.NaN);
        var net = TinySupernet.Build(3);
        var before = net.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray());
        var trainer = new Trainer(net, new SandwichStrategy(1), new TrainerOptions { Epochs = 1, BatchSize = 4, Seed = 1 });
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Run(data));
        Assert.Contains($"at step {e.Step}", e.Message);
        Assert.Equal("sandwich/largest", e.LossName);
        Assert.True(float.IsNaN(e.Value));
        Assert.Equal(0, e.Step);
        Assert.Equal(0, trainer.Optimizer.StepCount); // the failing step made no update
        foreach (var (name, t) in net.NamedParameters()) Assert.Equal(before[name], t.Data);
    }

    [Fact]
    public void A_student_without_an_earlier_teacher_is_a_clear_error()
    {
        var data = new TrainingTestData(4, TinySupernet.Space.Classes, seed: 2);
        var trainer = new Trainer(TinySupernet.Build(3), new StudentOnly(), new TrainerOptions { Epochs = 1, BatchSize = 4 });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.AccumulateGradients(data.Features, data.Targets, 0));
        Assert.Contains("'student'", e.Message);
    }

    [Fact]
    public void Bad_options_and_targets_are_rejected_with_their_names()
    {
        Assert.Contains("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { BatchSize = 1 }.Validate()).Message);
        Assert.Contains("CheckpointPath", Assert.Throws<ArgumentException>(() => new TrainerOptions { Resume = true }.Validate()).Message);
        var data = new TrainingTestData(4, TinySupernet.Space.Classes, seed: 2);
        var trainer = new Trainer(TinySupernet.Build(3), new FullNetworkStrategy(), new TrainerOptions { Epochs = 1, BatchSize = 4 });
        var wrong = Engine.Tensor.Zeros(4, TinySupernet.Space.Classes + 1);
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => trainer.AccumulateGradients(data.Features, wrong, 0)).Message);
    }

    private sealed class StudentOnly : ITrainingStrategy
    {
        public string Name => "student-only";

        public bool NeedsFrozenTeacher => false;

        public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, ["student"])];

        public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) =>
            [new SubnetTask("student", ArchConfig.Min(phase.Space), SubnetTarget.Teacher, IsTeacher: false, UseDropout: false)];

        public string Describe() => Name;
    }
}
