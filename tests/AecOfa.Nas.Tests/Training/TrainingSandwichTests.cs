using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

public class TrainingSandwichTests
{
    // Dropout off so each sub-network's gradient can be recomputed on its own without sharing the trainer's mask.
    private static readonly ArchSpace Space = TinySupernet.Space with { Dropout = 0 };

    private static OfaSupernet Build(int seed)
    {
        var net = new OfaSupernet(Space, seed);
        TinySupernet.Randomize(net, new Random(seed + 1000));
        return net;
    }

    private static Dictionary<string, float[]> Gradients(OfaSupernet net) =>
        net.NamedParameters().Where(p => p.Parameter.Grad is not null).ToDictionary(p => p.Name, p => p.Parameter.Grad!.Data.ToArray());

    [Fact]
    public void Sandwich_plan_is_largest_on_labels_then_smallest_and_random_on_the_teacher()
    {
        var plan = Plan(new SandwichStrategy(3), new Random(1));
        Assert.Equal(["largest", "smallest", "random1", "random2", "random3"], plan.Select(t => t.Role));
        Assert.Equal(ArchConfig.Max(Space), plan[0].Config);
        Assert.True(plan[0].IsTeacher && plan[0].UseDropout && plan[0].Target == SubnetTarget.Labels);
        Assert.Equal(ArchConfig.Min(Space), plan[1].Config);
        Assert.All(plan.Skip(1), t => Assert.True(t.Target == SubnetTarget.Teacher && !t.IsTeacher && !t.UseDropout));
        Assert.Single(Plan(new FullNetworkStrategy(), new Random(1)));
    }

    [Fact]
    public void Step_gradient_is_the_sum_of_every_sub_networks_gradient()
    {
        var data = new TrainingTestData(6, Space.Classes, seed: 5);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 17 };
        const long step = 3;

        var net = Build(11);
        var losses = new Trainer(net, new SandwichStrategy(2), options).AccumulateGradients(data.Features, data.Targets, step);
        var accumulated = Gradients(net);
        Assert.Equal(["largest", "smallest", "random1", "random2"], losses.Select(l => l.Role));

        // The same plan, one sub-network at a time on a fresh copy of the weights: the trainer's gradient must be the sum.
        var plan = Plan(new SandwichStrategy(2), StreamSeeds.Create(options.Seed, StreamSeeds.Sampling, step));
        var reference = Build(11);
        var sum = new Dictionary<string, double[]>();
        Tensor? teacher = null;
        var perTask = new List<Dictionary<string, float[]>>();
        foreach (var task in plan)
        {
            reference.ZeroGrad();
            var logits = reference.Forward(data.Features, task.Config);
            var loss = task.Target == SubnetTarget.Labels
                ? TensorOps.BinaryCrossEntropyWithLogits(logits, data.Targets)
                : TensorOps.DistillationBce(logits, teacher!);
            loss = TensorOps.WeightedLossSum((loss, Space.Classes)); // summed over classes (TrainerOptions.SumOverClasses)
            if (task.IsTeacher) teacher = TensorOps.Sigmoid(logits.Detach());
            loss.Backward();
            var g = Gradients(reference);
            perTask.Add(g);
            foreach (var (name, values) in g)
            {
                if (!sum.TryGetValue(name, out var acc)) sum[name] = acc = new double[values.Length];
                for (int i = 0; i < values.Length; i++) acc[i] += values[i];
            }
        }
        Assert.Equal(sum.Keys.OrderBy(k => k), accumulated.Keys.OrderBy(k => k));
        foreach (var (name, expected) in sum)
        {
            var actual = accumulated[name];
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"{name}[{i}]: {actual[i]} vs {expected[i]}");
        }
        // Every student contributed something the largest alone would not have given.
        foreach (var g in perTask.Skip(1))
            Assert.Contains(g, kv => kv.Value.Any(v => v != 0f) && kv.Key.StartsWith("s1b0.", StringComparison.Ordinal));
        Assert.NotEqual(perTask[0]["stem_conv.weight"], accumulated["stem_conv.weight"]);
    }

    [Fact]
    public void Train_step_makes_one_nesterov_update_with_the_clipped_accumulated_gradient()
    {
        var data = new TrainingTestData(6, Space.Classes, seed: 6);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 4, GradientClipValue = 0.01f, PeakLearningRate = 0.2f, WeightDecay = 0.01f };
        var probe = Build(12);
        new Trainer(probe, new SandwichStrategy(2), options).AccumulateGradients(data.Features, data.Targets, 0);
        var gradients = Gradients(probe);
        Assert.Contains(gradients.Values, g => g.Any(v => Math.Abs(v) > 0.01f)); // clipping matters here

        var net = Build(12);
        var before = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data.ToArray());
        var trainer = new Trainer(net, new SandwichStrategy(2), options);
        var schedule = new ConstantLearningRate(0.2f);
        var report = trainer.TrainStep(data.Features, data.Targets, 0, 0, schedule);
        Assert.Equal(1, trainer.Optimizer.StepCount);
        Assert.Equal(4, report.Losses.Count);

        foreach (var (name, p) in net.NamedParameters())
        {
            var p0 = before[name];
            if (!gradients.TryGetValue(name, out var g))
            {
                Assert.Equal(p0, p.Data); // untouched by every sub-network: no update, no decay
                continue;
            }
            float wd = p.NoWeightDecay ? 0f : 0.01f;
            for (int i = 0; i < p0.Length; i++)
            {
                // First SGD step: buf = g; Nesterov direction g + momentum * buf.
                double gi = Math.Clamp(g[i], -0.01f, 0.01f) + wd * p0[i];
                double expected = p0[i] - 0.2 * (gi + 0.9 * gi);
                Assert.True(Math.Abs(p.Data[i] - expected) <= 1e-6 + 1e-5 * Math.Abs(expected), $"{name}[{i}]: {p.Data[i]} vs {expected}");
            }
        }
    }

    [Fact]
    public void Arena_backed_step_updates_the_weights_exactly_like_a_plain_step()
    {
        var data = new TrainingTestData(6, Space.Classes, seed: 8);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 3 };
        var schedule = new ConstantLearningRate(0.05f);

        var pooled = Build(31);
        var pooledTrainer = new Trainer(pooled, new SandwichStrategy(2), options);
        var plain = Build(31);
        var plainTrainer = new Trainer(plain, new SandwichStrategy(2), options);
        for (long step = 0; step < 3; step++) // later steps run on recycled buffers
        {
            pooledTrainer.TrainStep(data.Features, data.Targets, step, 0, schedule);
            plainTrainer.AccumulateGradients(data.Features, data.Targets, step);
            GradientClipping.ClipByValue(plain.Parameters(), options.GradientClipValue);
            plainTrainer.Optimizer.LearningRate = 0.05f;
            plainTrainer.Optimizer.Step();
        }
        var expected = plain.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data);
        foreach (var (name, p) in pooled.NamedParameters()) Assert.True(expected[name].AsSpan().SequenceEqual(p.Data), name);
    }

    [Fact]
    public void Dropout_masks_come_only_from_the_callers_generator()
    {
        var net = TinySupernet.Build(21); // dropout 0.1
        var x = TinySupernet.Input(new Random(22), 3);
        var config = ArchSampling.Sample(TinySupernet.Space, new Random(23));
        net.Eval();
        using (GradMode.NoGrad())
            Assert.Equal(net.Forward(x, config).Data, net.Forward(x, config, new Random(1)).Data); // eval: no mask

        net.Train();
        using (GradMode.NoGrad())
        {
            var plain = net.Forward(x, config).Data;
            Assert.Equal(plain, net.Forward(x, config).Data); // no generator: no dropout, nothing hidden
            var masked = net.Forward(x, config, new Random(7)).Data;
            Assert.Equal(masked, net.Forward(x, config, new Random(7)).Data); // same stream, same mask
            Assert.NotEqual(plain, masked);
        }
    }

    private sealed class ConstantLearningRate(float lr) : ILearningRateSchedule
    {
        public float LearningRate(long step) => lr;
    }

    private static IReadOnlyList<SubnetTask> Plan(ITrainingStrategy strategy, Random sampling) => strategy.Plan(strategy.Phases(Space, 1)[0], sampling);
}
