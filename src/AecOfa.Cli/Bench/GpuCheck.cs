using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Cli.Bench;

/// <summary>One result of the GPU check: a parity error against the host (with its tolerance) or a timing.</summary>
internal sealed record GpuCheckLine(string Name, double Value, string Unit, string Status);

/// <summary>
/// The checks of a CUDA machine (benchmarks/gpu-check.sh runs them from the published binary): a smoke test of the
/// device, parity of every device op family and of a whole training step with the host path at realistic sizes
/// (targets: 1e-4 relative forward, 1e-3 gradients), timings of the reference sub-networks' training step (largest,
/// smallest; batch 32 and 256) and of GEMM at 1024 / 2048 / 4096 cubed. Quick mode shrinks every size so that the
/// same code runs on ILGPU's CPU accelerator where there is no GPU.
/// </summary>
internal sealed class GpuCheck
{
    public const double ForwardTolerance = 1e-4, GradientTolerance = 1e-3;

    private readonly ComputeDevice _device;
    private readonly bool _quick;
    private readonly Action<string> _log;
    private readonly List<GpuCheckLine> _lines = [];

    public GpuCheck(ComputeDevice device, bool quick, Action<string> log)
    {
        _device = device;
        _quick = quick;
        _log = log;
    }

    public IReadOnlyList<GpuCheckLine> Lines => _lines;

    /// <summary>Parity checks that failed.</summary>
    public int Failures => _lines.Count(l => l.Status == "FAIL");

    public void Run()
    {
        Smoke();
        Parity();
        TrainingSteps();
        Gemms();
    }

    private void Add(GpuCheckLine line)
    {
        _lines.Add(line);
        _log(Format(line));
    }

    public static string Format(GpuCheckLine l) => string.Create(CultureInfo.InvariantCulture, $"{l.Name,-44} {l.Value,12:G4} {l.Unit,-12} {l.Status}");

    /// <summary>Upload, one kernel, download: exact values back, and the time of a first kernel (compilation included).</summary>
    private void Smoke()
    {
        var clock = Stopwatch.StartNew();
        var a = Tensor.FromArray(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray(), 1000);
        var sum = TensorOps.Add(a.ToDevice(_device), a.ToDevice(_device)).ToArray();
        bool exact = sum.Select((v, i) => v == 2 * i).All(x => x);
        Add(new GpuCheckLine($"smoke: upload, add, download on {_device.Name}", clock.Elapsed.TotalMilliseconds, "ms", exact ? "ok" : "FAIL"));
    }

    /// <summary>Each op family on random inputs: forward and every input gradient against the host path.</summary>
    private void Parity()
    {
        int n = _quick ? 2 : 32;
        Check("parity MatMul (kernel transform, GEMM NN/NT/TN)", [[Size(96), Size(80)], [Size(80), Size(112)]], t => TensorOps.MatMul(t[0], t[1]));
        Check("parity Linear + bias (classifier)", [[n, Size(960)], [Size(1280), Size(960)], [Size(1280)]], t => TensorOps.Linear(t[0], t[1], t[2]));
        Check("parity stem conv 3x3 s2 (im2col + GEMM)", [[n, 1, Size(64), Size(100)], [16, 1, 3, 3]], t => TensorOps.Conv2d(t[0], t[1], null, 2, 1));
        foreach (var (k, s) in new[] { (3, 1), (5, 2), (7, 1), (7, 2) })
            Check($"parity depthwise {k}x{k} stride {s}", [[n, Size(144), Size(32), Size(50)], [Size(144), 1, k, k]], t => TensorOps.Conv2d(t[0], t[1], null, s, k / 2, groups: t[0].Shape[1]));
        Check("parity pointwise conv (batched GEMM)", [[n, Size(96), Size(16), Size(25)], [Size(160), Size(96), 1, 1]], t => TensorOps.Conv2d(t[0], t[1]));
        Check("parity BN train + h-swish", [[n, Size(160), Size(8), Size(13)], [Size(160)], [Size(160)]],
            t => TensorOps.BatchNorm2dTrain(t[0], t[1], t[2], 1e-5f, new double[t[1].Numel], new double[t[1].Numel], FusedActivation.HardSwish));
        Check("parity SE: pool, h-sigmoid, scale", [[n, Size(120), Size(16), Size(25)]],
            t => TensorOps.ChannelScale(t[0], TensorOps.HardSigmoid(TensorOps.GlobalAvgPool2d(t[0]))));
        Check("parity slice + center crop (elastic)", [[Size(240), 1, 7, 7]], t => TensorOps.CenterCrop2d(TensorOps.Slice(t[0], 0, 0, t[0].Shape[0] / 2), 5));
        int[] labels = Enumerable.Range(0, _quick ? 4 : 256).Select(i => i % 10).ToArray();
        Check("parity softmax cross-entropy", [[labels.Length, 10]], t => TensorOps.SoftmaxCrossEntropy(t[0], labels, 0.1f));
        WholeStepParity();
    }

    private int Size(int realistic) => _quick ? Math.Max(3, realistic / 16) : realistic;

    /// <summary>The reference space (1x64x100, the CPU-speed issue's sub-networks), or in quick mode a tiny one of the
    /// same structure (every block kind: SE, h-swish, strides) that ILGPU's CPU accelerator runs in seconds.</summary>
    private ArchSpace Space() => !_quick ? ArchSpace.Default : new ArchSpace
    {
        Input = new InputSpec { MelBins = 8, Frames = 12 },
        StemWidth = 8,
        Stages = [new StageSpec(8, 2, Activation.Relu, false), new StageSpec(16, 1, Activation.Hswish, true)],
        MaxDepth = 2,
        KernelChoices = [3, 5],
        ExpandChoices = [2, 3],
        DepthChoices = [1, 2],
        FinalExpandWidth = 24,
        FeatureMixWidth = 32,
        Classes = 5,
    };

    private void Check(string name, int[][] shapes, Func<Tensor[], Tensor> op)
    {
        var rng = new Random(name.Length * 7919);
        var host = shapes.Select(s => Tensor.Randn(rng, 1f, s)).ToArray();
        var onDevice = host.Select(t => t.ToDevice(_device)).ToArray();
        foreach (var t in host.Concat(onDevice)) t.RequiresGrad = true;
        var y = op(host);
        var yd = op(onDevice);
        double fwd = RelativeError(yd.ToArray(), y.Data);
        var seed = Tensor.Randn(rng, 1f, y.Shape);
        y.Backward(seed);
        yd.Backward(seed.ToDevice(_device));
        double grad = 0;
        for (int i = 0; i < host.Length; i++) grad = Math.Max(grad, RelativeError(onDevice[i].Grad!.ToArray(), host[i].Grad!.Data));
        Add(new GpuCheckLine(name + " fwd", fwd, "rel. error", fwd < ForwardTolerance ? "ok" : "FAIL"));
        Add(new GpuCheckLine(name + " grad", grad, "rel. error", grad < GradientTolerance ? "ok" : "FAIL"));
    }

    /// <summary>max |a - b| / max(max |b|, floor); infinite for a non-finite value or a length mismatch.</summary>
    private static double RelativeError(float[] actual, float[] expected, double floor = 1e-30)
    {
        if (actual.Length != expected.Length) return double.PositiveInfinity;
        double err = 0, scale = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!float.IsFinite(actual[i]) || !float.IsFinite(expected[i])) return double.PositiveInfinity;
            err = Math.Max(err, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return err / Math.Max(scale, floor);
    }

    /// <summary>One training step of a reference sub-network on both devices: the loss and every parameter gradient.</summary>
    private void WholeStepParity()
    {
        var space = Space();
        var config = ArchConfig.Max(space);
        int batch = _quick ? 2 : 32;
        var host = new StaticMbv3Network(space, config, seed: 0);
        var device = new StaticMbv3Network(space, config, seed: 0);
        device.ToDevice(_device);
        var (x, y) = Batch(space, batch, seed: 5);
        var lossHost = TensorOps.BinaryCrossEntropyWithLogits(host.Forward(x, dropout: new Random(6)), y);
        var lossDevice = TensorOps.BinaryCrossEntropyWithLogits(device.Forward(x.ToDevice(_device), dropout: new Random(6)), y.ToDevice(_device));
        lossHost.Backward();
        lossDevice.Backward();
        double lossErr = Math.Abs(lossDevice.Item() - lossHost.Item()) / Math.Abs(lossHost.Item());
        var grads = device.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        // A gradient that is zero in exact arithmetic (a BN shift feeding a 1x1 conv and another training-mode BN: the
        // next mean subtraction removes it) is rounding noise on both devices; its error is measured against a floor
        // of 1e-4 of the largest gradient of the network instead of its own (noise) scale.
        double floor = 1e-4 * host.Parameters().Max(p => p.Grad!.Data.Max(v => Math.Abs((double)v)));
        double worst = 0;
        string worstName = "";
        foreach (var (name, p) in host.NamedParameters())
        {
            double e = RelativeError(grads[name].Grad!.ToArray(), p.Grad!.Data, floor);
            if (e >= worst) (worst, worstName) = (e, name);
        }
        string which = _quick ? "tiny space, largest, batch 2" : "largest, batch 32";
        Add(new GpuCheckLine($"parity training step ({which}) loss", lossErr, "rel. error", lossErr < ForwardTolerance ? "ok" : "FAIL"));
        Add(new GpuCheckLine($"parity training step gradients (worst: {worstName})", worst, "rel. error", worst < GradientTolerance ? "ok" : "FAIL"));
    }

    private static (Tensor X, Tensor Y) Batch(ArchSpace space, int batch, int seed)
    {
        var rng = new Random(seed);
        var x = Tensor.Randn(rng, 1f, batch, 1, space.Input.MelBins, space.Input.Frames);
        var y = Tensor.Zeros(batch, space.Classes);
        for (int i = 0; i < y.Numel; i++) y.Data[i] = rng.NextDouble() < 0.3 ? 1f : 0f;
        return (x, y);
    }

    /// <summary>The training step of the CPU-speed issue (BCE, SGD Nesterov, dropout 0.1) on the device: batch in, loss out.</summary>
    private void TrainingSteps()
    {
        var space = Space();
        foreach (var (name, config) in new[] { ("largest", ArchConfig.Max(space)), ("smallest", ArchConfig.Min(space)) })
            foreach (int batch in _quick ? [2] : new[] { 32, 256 })
            {
                var net = new StaticMbv3Network(space, config, seed: 0);
                net.ToDevice(_device);
                var (x, y) = Batch(space, batch, seed: 7);
                var sgd = new Sgd(net.NamedParameters(), learningRate: 0.01f, momentum: 0.9f, nesterov: true);
                var dropout = new Random(6);
                var arena = new TensorArena(); // device buffers of a step are freed when it ends
                void Step()
                {
                    using var scope = arena.Begin();
                    sgd.ZeroGrad();
                    var loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x.ToDevice(_device), dropout: dropout), y.ToDevice(_device));
                    loss.Backward();
                    sgd.Step();
                    _ = loss.Item(); // the loss comes back: the step is complete
                }
                double s = QuickBench.MedianSeconds(Step, warmup: 2, reps: _quick ? 1 : 10);
                Add(new GpuCheckLine($"train step {name}{(_quick ? " (tiny space)" : "")}, batch {batch}", s * 1e3, "ms/step", string.Create(CultureInfo.InvariantCulture, $"{batch / s:F0} samples/s")));
            }
    }

    private void Gemms()
    {
        foreach (int n in _quick ? [64] : new[] { 1024, 2048, 4096 })
        {
            var rng = new Random(n);
            var a = Tensor.Randn(rng, 1f, n, n).ToDevice(_device);
            var b = Tensor.Randn(rng, 1f, n, n).ToDevice(_device);
            var arena = new TensorArena();
            void Multiply()
            {
                using var scope = arena.Begin();
                TensorOps.MatMul(a, b);
                _device.Synchronize();
            }
            double s = QuickBench.MedianSeconds(Multiply, warmup: 1, reps: _quick ? 1 : 5);
            Add(new GpuCheckLine($"GEMM {n}^3", 2.0 * n * n * n / s / 1e9, "GFLOP/s", string.Create(CultureInfo.InvariantCulture, $"{s * 1e3:F2} ms")));
        }
    }
}
