using System.Diagnostics;
using AecOfa.Engine.IO;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

/// <summary>
/// Layers, losses, optimizer, schedule and checkpoints together: a 3-layer conv net learns a synthetic
/// multi-label task ("which quadrants of the image are bright"), deterministically.
/// </summary>
public class EndToEndTrainingTests
{
    private const int Samples = 24, Size = 8, Labels = 4;

    private static Sequential BuildNet(int seed)
    {
        var rng = SeededRandom.Create(seed);
        return new Sequential(
            new Conv2d(1, 8, 3, rng), new BatchNorm2d(8), new ReLU(),
            new Conv2d(8, 16, 3, rng, stride: 2), new BatchNorm2d(16), new ReLU(),
            new Conv2d(16, 16, 3, rng), new BatchNorm2d(16), new ReLU(),
            new GlobalAvgPool2d(), new Linear(16, Labels, rng));
    }

    /// <summary>Gaussian noise images; each quadrant independently gets +1.5 brightness and then carries label 1.</summary>
    private static (Tensor X, Tensor Y) Dataset(int seed)
    {
        var rng = SeededRandom.Create(seed);
        var x = Tensor.Randn(rng, 0.5f, Samples, 1, Size, Size);
        var y = Tensor.Zeros(Samples, Labels);
        for (int n = 0; n < Samples; n++)
        for (int q = 0; q < Labels; q++)
        {
            if (rng.Next(2) == 0) continue;
            y[n, q] = 1f;
            int r0 = q / 2 * (Size / 2), c0 = q % 2 * (Size / 2);
            for (int r = r0; r < r0 + Size / 2; r++)
            for (int c = c0; c < c0 + Size / 2; c++) x[n, 0, r, c] += 1.5f;
        }
        return (x, y);
    }

    private static Tensor Rows(Tensor t, int[] rows)
    {
        int row = t.Numel / t.Shape[0];
        var shape = (int[])t.Shape.Clone();
        shape[0] = rows.Length;
        var r = Tensor.Zeros(shape);
        for (int i = 0; i < rows.Length; i++) t.Data.AsSpan(rows[i] * row, row).CopyTo(r.Data.AsSpan(i * row, row));
        return r;
    }

    /// <summary>Mini-batches of 8 in a seeded shuffled order; SGD Nesterov with cosine warm-up, clipping, loss guard.</summary>
    private static List<float> Train(Sequential net, Sgd opt, (Tensor X, Tensor Y) data, long fromStep, long toStep, ILearningRateSchedule schedule)
    {
        var losses = new List<float>();
        for (long step = fromStep; step < toStep; step++)
        {
            // The batch order is a pure function of the step, so a resumed run sees the same batches.
            var rng = SeededRandom.Create(1000 + (int)(step / 3));
            var order = Enumerable.Range(0, Samples).OrderBy(_ => rng.Next()).ToArray();
            var rows = order.Skip((int)(step % 3) * 8).Take(8).ToArray();
            opt.ZeroGrad();
            var loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(Rows(data.X, rows)), Rows(data.Y, rows));
            losses.Add(LossGuard.EnsureFinite(loss, "task", step));
            loss.Backward();
            GradientClipping.ClipByGlobalNorm(net.Parameters(), 5f);
            opt.LearningRate = schedule.LearningRate(step);
            opt.Step();
        }
        return losses;
    }

    private static Sgd MakeSgd(Module net) => new(net.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 3e-5f);

    private static float FullDatasetLoss(Sequential net, (Tensor X, Tensor Y) data)
    {
        net.Eval();
        using (GradMode.NoGrad())
        {
            float loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(data.X), data.Y).Item();
            net.Train();
            return loss;
        }
    }

    [Fact]
    public void ConvNet_LearnsSyntheticMultiLabelTask_LossFallsTenfold()
    {
        var data = Dataset(7);
        var net = BuildNet(1);
        float before = FullDatasetLoss(net, data);
        const int steps = 100;
        var losses = Train(net, MakeSgd(net), data, 0, steps, new CosineSchedule(0.5f, steps, warmupSteps: 10));
        float after = FullDatasetLoss(net, data);
        Assert.True(after * 10 < before, $"full-dataset loss {before} -> {after} (train losses {losses[0]} ... {losses[^1]})");
        Assert.True(losses.TakeLast(3).Average() * 10 < losses.Take(3).Average(), $"train loss {losses[0]} -> {losses[^1]}");
    }

    [Fact]
    public void Training_IsBitwiseDeterministic_ForTheSameSeed()
    {
        var data = Dataset(7);
        var schedule = new CosineSchedule(0.2f, 30, warmupSteps: 5);
        var netA = BuildNet(3);
        var netB = BuildNet(3);
        var lossesA = Train(netA, MakeSgd(netA), data, 0, 12, schedule);
        var lossesB = Train(netB, MakeSgd(netB), data, 0, 12, schedule);
        Assert.Equal(lossesA.Select(BitConverter.SingleToInt32Bits), lossesB.Select(BitConverter.SingleToInt32Bits));
        foreach (var ((name, a), (_, b)) in netA.StateDict().Zip(netB.StateDict()))
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), $"{name} differs");
        // A different seed gives a different run (the test can fail).
        var netC = BuildNet(4);
        Assert.NotEqual(lossesA, Train(netC, MakeSgd(netC), data, 0, 12, schedule));
    }

    [Fact]
    public void CheckpointResume_MidTraining_GivesBitIdenticalLosses()
    {
        using var dir = new TempFolder();
        var path = dir.File("step6.safetensors");
        var data = Dataset(7);
        var schedule = new CosineSchedule(0.2f, 30, warmupSteps: 5);
        var net = BuildNet(5);
        var opt = MakeSgd(net);
        var first = Train(net, opt, data, 0, 6, schedule);
        Checkpoint.Save(path, net, opt, step: 6);
        var expected = Train(net, opt, data, 6, 12, schedule);

        var resumed = BuildNet(99);
        var resumedOpt = MakeSgd(resumed);
        var info = Checkpoint.Load(path, resumed, resumedOpt);
        var actual = Train(resumed, resumedOpt, data, info.Step, 12, schedule);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(6, first.Count);
    }
}
