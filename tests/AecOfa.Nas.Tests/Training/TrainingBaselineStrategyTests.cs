using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>The two baselines on one fixed network (a <see cref="StaticMbv3Network"/> of the tiny space): standalone
/// ("scratch") and KD from a frozen teacher.</summary>
public class TrainingBaselineStrategyTests
{
    private static readonly ArchSpace Space = TinySupernet.Space;

    /// <summary>A mid-sized config of the tiny space, at the reduced resolution (the static network resamples).</summary>
    private static readonly ArchConfig StudentConfig = ArchConfig.Uniform(Space, depth: 2, kernel: 5, expand: 2, melBins: 6, hopFactor: 1);

    private static StaticMbv3Network Student(int seed = 21)
    {
        var net = new StaticMbv3Network(Space, StudentConfig, seed);
        TinySupernet.Randomize(net, new Random(seed + 7));
        return net;
    }

    private static IArchNetwork TeacherNetwork(bool supernet) => supernet
        ? TinySupernet.Build(5)
        : RandomizedStatic(ArchConfig.Max(Space), 6);

    private static StaticMbv3Network RandomizedStatic(ArchConfig config, int seed)
    {
        var net = new StaticMbv3Network(Space, config, seed);
        TinySupernet.Randomize(net, new Random(seed + 100));
        return net;
    }

    private static TrainerOptions Options(int seed = 3) => new() { Epochs = 2, BatchSize = 4, Seed = seed, PeakLearningRate = 0.1f, WarmupEpochs = 0 };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Kd_updates_only_the_student_and_the_frozen_teacher_stays_bit_identical_and_in_eval_mode(bool supernetTeacher)
    {
        var data = new TrainingTestData(12, Space.Classes, seed: 4);
        var teacherNet = TeacherNetwork(supernetTeacher);
        var teacher = new FrozenTeacher(teacherNet, ArchConfig.Max(Space));
        Assert.False(teacherNet.Module.IsTraining); // the constructor puts it in eval mode
        teacherNet.Module.Train(); // someone flips it back: the teacher must still never learn BN statistics
        var teacherBefore = TrainingSnapshots.State(teacherNet.Module);
        string identity = teacher.Identity;

        var student = Student();
        var studentBefore = TrainingSnapshots.State(student);
        var trainer = new Trainer(student, new DistillationStrategy(StudentConfig), Options(), teacher);
        var teacherParameters = new HashSet<object>(teacherNet.Module.Parameters(), ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(trainer.Optimizer.Parameters, p => teacherParameters.Contains(p.Parameter));

        var result = trainer.Run(data);

        Assert.Equal(6, result.Steps.Count);
        Assert.All(result.Steps, s => Assert.Equal(["network"], s.Losses.Select(l => l.Role)));
        TrainingSnapshots.AssertBitwiseEqual(teacherBefore, TrainingSnapshots.State(teacherNet.Module));
        Assert.False(teacherNet.Module.IsTraining);
        Assert.Equal(identity, new FrozenTeacher(teacherNet, ArchConfig.Max(Space)).Identity);

        var changed = TrainingSnapshots.Changed(studentBefore, TrainingSnapshots.State(student));
        Assert.Contains("classifier.weight", changed);
        Assert.Contains(changed, n => n.EndsWith("running_mean", StringComparison.Ordinal)); // the student learns BN statistics
    }

    [Fact]
    public void Standalone_trains_the_fixed_network_on_the_labels_and_refuses_a_config_it_cannot_run()
    {
        var data = new TrainingTestData(12, Space.Classes, seed: 4);
        var student = Student();
        var before = TrainingSnapshots.State(student);
        var result = new Trainer(student, new StandaloneStrategy(StudentConfig), Options()).Run(data);
        Assert.Equal(6, result.Steps.Count);
        Assert.All(result.Steps, s => Assert.True(float.IsFinite(s.Total) && s.Total > 0));
        Assert.Equal(["network"], result.Epochs[0].MeanLoss.Keys);
        var changed = TrainingSnapshots.Changed(before, TrainingSnapshots.State(student));
        Assert.Contains("classifier.weight", changed);
        Assert.Contains("stem_conv.weight", changed);

        var other = new Trainer(Student(), new StandaloneStrategy(ArchConfig.Min(Space)), Options());
        var e = Assert.Throws<InvalidOperationException>(() => other.Run(data));
        Assert.Contains("cannot run", e.Message);

        Assert.Throws<ArgumentException>(() => new Trainer(Student(), new DistillationStrategy(StudentConfig), Options())); // kd without a teacher
        var self = Student();
        Assert.Throws<ArgumentException>(() => new Trainer(self, new DistillationStrategy(StudentConfig), Options(), new FrozenTeacher(self, StudentConfig)));
    }

    [Fact]
    public void Kd_loss_is_the_label_loss_plus_the_weighted_distillation_loss_against_the_teachers_outputs()
    {
        var data = new TrainingTestData(8, Space.Classes, seed: 5);
        var options = Options(seed: 9);
        const float weight = 0.5f;
        const long step = 2;
        var teacher = new FrozenTeacher(TeacherNetwork(supernet: false), ArchConfig.Max(Space));

        var kd = new Trainer(Student(), new DistillationStrategy(StudentConfig, weight), options, teacher).AccumulateGradients(data.Features, data.Targets, step);
        var scratch = new Trainer(Student(), new StandaloneStrategy(StudentConfig), options).AccumulateGradients(data.Features, data.Targets, step);

        // The same forward by hand: same initial weights, same dropout stream (task 0 of the step).
        IArchNetwork reference = Student();
        Tensor logits;
        using (GradMode.NoGrad()) logits = reference.Forward(data.Features, StudentConfig, StreamSeeds.Create(options.Seed, StreamSeeds.Dropout, step * 64));
        var teacherProbabilities = TensorOps.Sigmoid(teacher.Logits(data.Features));
        double label = TensorOps.WeightedLossSum((TensorOps.BinaryCrossEntropyWithLogits(logits, data.Targets), Space.Classes)).Data[0];
        double distill = TensorOps.WeightedLossSum((TensorOps.DistillationBce(logits, teacherProbabilities), Space.Classes)).Data[0];

        Assert.Equal(label, scratch[0].Loss, 1e-4 * Math.Abs(label));
        Assert.True(distill > 0.1, $"the teacher term must matter: {distill}");
        Assert.Equal(label + weight * distill, kd[0].Loss, 1e-4 * Math.Abs(label + weight * distill));
    }

    [Fact]
    public void Kd_with_a_teacher_changes_the_students_trajectory_and_the_teacher_matters()
    {
        var data = new TrainingTestData(12, Space.Classes, seed: 4);
        TrainingResult Train(StaticMbv3Network net, ITrainingStrategy strategy, FrozenTeacher? teacher) =>
            new Trainer(net, strategy, Options(), teacher).Run(data);

        var scratchNet = Student();
        var scratch = Train(scratchNet, new StandaloneStrategy(StudentConfig), null);
        var kdNet = Student();
        var kd = Train(kdNet, new DistillationStrategy(StudentConfig), new FrozenTeacher(TeacherNetwork(false), ArchConfig.Max(Space)));
        var otherKdNet = Student();
        Train(otherKdNet, new DistillationStrategy(StudentConfig), new FrozenTeacher(RandomizedStatic(ArchConfig.Max(Space), 77), ArchConfig.Max(Space)));

        // Step 0: same weights, batch and dropout, so the KD loss is the label loss plus a positive distillation term.
        Assert.True(kd.Steps[0].Total > scratch.Steps[0].Total, $"{kd.Steps[0].Total} vs {scratch.Steps[0].Total}");
        Assert.NotEqual(scratch.Epochs.Select(e => e.MeanTotal), kd.Epochs.Select(e => e.MeanTotal));
        Assert.NotEmpty(TrainingSnapshots.Changed(TrainingSnapshots.State(scratchNet), TrainingSnapshots.State(kdNet)));
        Assert.NotEmpty(TrainingSnapshots.Changed(TrainingSnapshots.State(kdNet), TrainingSnapshots.State(otherKdNet)));
    }
}
