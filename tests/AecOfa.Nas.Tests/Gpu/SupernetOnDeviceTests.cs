using AecOfa.Engine;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Tests.Training;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Gpu;

/// <summary>
/// The tiny supernet on ILGPU's CPU accelerator (the device kernels, no GPU needed): sandwich training steps (elastic
/// kernel with transforms, depth, width, resolution; in-place distillation; clipping; SGD Nesterov) and BN
/// recalibration equal the host path within the device tolerances (1e-4 forward, 1e-3 weights).
/// </summary>
public class SupernetOnDeviceTests
{
    private static readonly Lazy<ComputeDevice> s_device = new(ComputeDevice.IlgpuCpu);

    private static void AssertClose(string what, float[] expected, float[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(expected[i]) || !float.IsFinite(actual[i])) Assert.Fail($"{what}: value at {i} is not finite ({actual[i]} vs {expected[i]})");
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            maxErr = Math.Max(maxErr, Math.Abs(expected[i] - actual[i]));
        }
        Assert.True(maxErr <= tol * Math.Max(maxRef, 1e-30), $"{what}: relative error {maxErr / Math.Max(maxRef, 1e-30):E3} > {tol:E1}");
    }

    [Fact]
    public void SandwichSteps_OnTheDevice_EqualTheHost()
    {
        var data = new TrainingTestData(6, TinySupernet.Space.Classes, 5);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 6, Seed = 4, GradientClipValue = 1f, PeakLearningRate = 0.05f, WeightDecay = 1e-4f };
        var schedule = new CosineSchedule(0.05f, 10, 0, 0f);
        var host = TinySupernet.Build(21);
        var device = TinySupernet.Build(21);
        device.ToDevice(s_device.Value);
        var hostTrainer = new Trainer(host, new SandwichStrategy(2), options);
        var deviceTrainer = new Trainer(device, new SandwichStrategy(2), options);
        for (int step = 0; step < 2; step++)
        {
            var a = hostTrainer.TrainStep(data.Features, data.Targets, step, 0, schedule);
            var b = deviceTrainer.TrainStep(data.Features, data.Targets, step, 0, schedule);
            AssertClose($"losses of step {step}", a.Losses.Select(l => l.Loss).ToArray(), b.Losses.Select(l => l.Loss).ToArray(), 1e-4);
        }
        Assert.Same(s_device.Value, device.Device);
        var d = device.StateDict().ToDictionary(x => x.Name, x => x.Tensor);
        foreach (var (name, t) in host.StateDict()) AssertClose(name, t.ToArray(), d[name].ToArray(), 1e-3);
    }

    [Fact]
    public void Recalibration_OnTheDevice_EqualsTheHost()
    {
        var features = new TinySupernet.FixedFeatures(TinySupernet.Input(new Random(3), 7));
        var config = ArchConfig.Min(TinySupernet.Space); // smallest kernel, depth, width and resolution
        var host = TinySupernet.Build(22);
        var device = TinySupernet.Build(22);
        device.ToDevice(s_device.Value);
        new BnRecalibrator(features, clips: 7, batchSize: 3).Recalibrate(host, config);
        new BnRecalibrator(features, clips: 7, batchSize: 3).Recalibrate(device, config);
        var d = device.NamedBuffers().ToDictionary(x => x.Name, x => x.Buffer);
        foreach (var (name, t) in host.NamedBuffers()) AssertClose(name, t.ToArray(), d[name].ToArray(), 1e-4);
        host.Eval();
        device.Eval();
        var x = TinySupernet.Input(new Random(4), 3);
        AssertClose("eval logits", host.Forward(x, config).ToArray(), device.Forward(x.ToDevice(s_device.Value), config).ToArray(), 1e-4);
    }

    [Fact]
    public void ProgressiveShrinking_WithChannelSortingAndKeptOptimizerState_OnTheDevice_EqualsTheHost()
    {
        // Every phase, including the width phase whose channel sort permutes weights and momentum on the host (the
        // trainer moves both there and back); the optimizer state is kept across phases so the round trip matters.
        var data = new TrainingTestData(6, TinySupernet.Space.Classes, seed: 3);
        var options = new TrainerOptions { Epochs = 6, BatchSize = 3, Seed = 2, PeakLearningRate = 0.08f, WarmupEpochs = 0 };
        TrainingResult Train(ComputeDevice device, out OfaSupernet net)
        {
            net = TinySupernet.Build(8);
            net.ToDevice(device);
            var strategy = new ProgressiveShrinkingStrategy(distillWeight: 0, resetOptimizerPerPhase: false);
            return new Trainer(net, strategy, options).Run(data);
        }
        var host = Train(ComputeDevice.Cpu, out var hostNet);
        var device = Train(s_device.Value, out var deviceNet);
        Assert.Equal(host.Steps.Count, device.Steps.Count);
        AssertClose("step losses", host.Steps.Select(s => s.Total).ToArray(), device.Steps.Select(s => s.Total).ToArray(), 1e-3);
        Assert.Same(s_device.Value, deviceNet.Device);
        var d = deviceNet.StateDict().ToDictionary(x => x.Name, x => x.Tensor);
        foreach (var (name, t) in hostNet.StateDict()) AssertClose(name, t.ToArray(), d[name].ToArray(), 1e-3);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(6, 2)]
    [InlineData(5, 3)]
    public void InputResampler_OnTheDevice_EqualsTheHost(int melBins, int hop)
    {
        var x = TinySupernet.Input(new Random(melBins * 10 + hop), 2, mel: 8, frames: 13);
        var xd = x.ToDevice(s_device.Value);
        x.RequiresGrad = xd.RequiresGrad = true;
        var y = InputResampler.Apply(x, melBins, hop);
        var yd = InputResampler.Apply(xd, melBins, hop);
        Assert.Equal(y.Shape, yd.Shape);
        AssertClose("resampled", y.ToArray(), yd.ToArray(), 1e-5);
        var seed = Tensor.Uniform(new Random(9), -1f, 1f, y.Shape);
        y.Backward(seed);
        yd.Backward(seed.ToDevice(s_device.Value));
        AssertClose("input gradient", x.Grad!.ToArray(), xd.Grad!.ToArray(), 1e-5);
    }
}
