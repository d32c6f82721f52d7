using AecOfa.Engine.IO;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Engine.Tests.Ops;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// A tiny conv net (stem, depthwise, pointwise, BN + activations, SE-style scale, pooling, classifier) trained a few
/// steps on the device equals the same training on the host; optimizers, BN running statistics and checkpoints work
/// from either device.
/// </summary>
[Collection(GpuCollection.Name)]
public class DeviceTrainingTests
{
    private sealed class TinyNet : Module
    {
        private readonly Conv2d _stem, _dw, _pw;
        private readonly BatchNorm2d _bn1, _bn2, _bn3;
        private readonly Linear _fc;

        public TinyNet(int seed)
        {
            var rng = SeededRandom.Create(seed);
            _stem = RegisterModule("stem", new Conv2d(1, 3, 3, rng, stride: 2));
            _bn1 = RegisterModule("bn1", new BatchNorm2d(3, activation: FusedActivation.HardSwish));
            _dw = RegisterModule("dw", new Conv2d(3, 3, 5, rng, groups: 3));
            _bn2 = RegisterModule("bn2", new BatchNorm2d(3, activation: FusedActivation.ReLU));
            _pw = RegisterModule("pw", new Conv2d(3, 7, 1, rng));
            _bn3 = RegisterModule("bn3", new BatchNorm2d(7));
            _fc = RegisterModule("fc", new Linear(7, 5, rng));
        }

        public Tensor Forward(Tensor x)
        {
            var h = _bn2.Forward(_dw.Forward(_bn1.Forward(_stem.Forward(x))));
            var gate = TensorOps.HardSigmoid(TensorOps.GlobalAvgPool2d(h));
            h = _bn3.Forward(_pw.Forward(TensorOps.ChannelScale(h, gate)));
            return _fc.Forward(TensorOps.Flatten(TensorOps.GlobalAvgPool2d(TensorOps.HardSwish(h))));
        }
    }

    private static (Tensor X, int[] Labels) Batch(int step)
        => (Tensor.FromArray(GpuTestDevice.Random(100 + step, 3 * 1 * 9 * 11), 3, 1, 9, 11), [step % 5, (step + 2) % 5, (step + 4) % 5]);

    private static List<float> Train(TinyNet net, Optimizer opt, ComputeDevice device, int steps)
    {
        var losses = new List<float>();
        var arena = new TensorArena();
        for (int step = 0; step < steps; step++)
        {
            using var scope = arena.Begin();
            var (x, labels) = Batch(step);
            opt.ZeroGrad();
            var loss = TensorOps.SoftmaxCrossEntropy(net.Forward(x.ToDevice(device)), labels, 0.1f);
            loss.Backward();
            opt.Step();
            losses.Add(loss.Item());
        }
        return losses;
    }

    private static void AssertSameState(Module expected, Module actual, double tol)
    {
        var a = actual.StateDict().ToDictionary(x => x.Name, x => x.Tensor);
        foreach (var (name, t) in expected.StateDict())
            OpCheck.AssertClose(name, a[name].ToCpu(), t.Shape, GpuTestDevice.Doubles(t.ToArray()), tol);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void TrainingStepsOnTheDevice_EqualTheHost(string optimizer)
    {
        Optimizer Make(TinyNet n) => optimizer == "sgd"
            ? new Sgd(n.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 1e-4f)
            : new AdamW(n.NamedParameters(), 1e-2f);
        var host = new TinyNet(7);
        var hostLosses = Train(host, Make(host), ComputeDevice.Cpu, 3);

        var onDevice = new TinyNet(7);
        onDevice.ToDevice(GpuTestDevice.Device);
        Assert.All(onDevice.StateDict(), x => Assert.Same(GpuTestDevice.Device, x.Tensor.Device));
        var deviceLosses = Train(onDevice, Make(onDevice), GpuTestDevice.Device, 3);

        OpCheck.AssertClose("losses", GpuTestDevice.Doubles(deviceLosses.ToArray()), GpuTestDevice.Doubles(hostLosses.ToArray()), 1e-4);
        AssertSameState(host, onDevice, 1e-3); // weights and BN running statistics after 3 updates
    }

    [Fact]
    public void AWarmDeviceStep_AllocatesNoDeviceMemory()
    {
        var net = new TinyNet(11);
        net.ToDevice(GpuTestDevice.Device);
        var opt = new Sgd(net.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true);
        var arena = new TensorArena();
        long allocatedAfter(int steps)
        {
            for (int step = 0; step < steps; step++)
            {
                using var scope = arena.Begin();
                var (x, labels) = Batch(step);
                opt.ZeroGrad();
                var loss = TensorOps.SoftmaxCrossEntropy(net.Forward(x.ToDevice(GpuTestDevice.Device)), labels, 0.1f);
                loss.Backward();
                opt.Step();
                Assert.True(float.IsFinite(loss.Item()));
            }
            return arena.DevicePool.Allocated;
        }
        long warm = allocatedAfter(2);
        Assert.True(warm > 0);
        Assert.Equal(warm, allocatedAfter(2)); // every buffer of later steps comes from the pool
        Assert.True(arena.DevicePool.Reused > 0);
        arena.Clear();
    }

    [Fact]
    public void Checkpoints_SavedFromTheDevice_LoadOntoEitherDevice()
    {
        var net = new TinyNet(8);
        net.ToDevice(GpuTestDevice.Device);
        var opt = new Sgd(net.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true);
        Train(net, opt, GpuTestDevice.Device, 2);
        using var folder = new TempFolder();
        string path = folder.File("device.safetensors");
        Checkpoint.Save(path, net, opt, step: 2);

        var toHost = new TinyNet(9);
        var hostOpt = new Sgd(toHost.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true);
        Checkpoint.Load(path, toHost, hostOpt);
        AssertSameState(net, toHost, 0);

        var toDevice = new TinyNet(10);
        toDevice.ToDevice(GpuTestDevice.Device);
        var deviceOpt = new Sgd(toDevice.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true);
        Checkpoint.Load(path, toDevice, deviceOpt);
        AssertSameState(net, toDevice, 0);

        // The restored optimizer state continues identically on both devices.
        var a = Train(toHost, hostOpt, ComputeDevice.Cpu, 1);
        var b = Train(toDevice, deviceOpt, GpuTestDevice.Device, 1);
        OpCheck.AssertClose("loss after resume", GpuTestDevice.Doubles(b.ToArray()), GpuTestDevice.Doubles(a.ToArray()), 1e-4);
        AssertSameState(toHost, toDevice, 1e-3);
    }
}
