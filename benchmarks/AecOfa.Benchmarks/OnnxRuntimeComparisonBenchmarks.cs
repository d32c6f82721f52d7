using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Export;
using AecOfa.Nas.Inference;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace AecOfa.Benchmarks;

/// <summary>
/// Batch-1 inference of extracted sub-networks, single thread: this library's engine, as the autograd eval path
/// (StaticMbv3Network.Forward, no grad, arena-allocated) and as the compiled InferencePlan (BN folded, fused
/// epilogues, packed weights, no allocation), vs ONNX Runtime on the very model OnnxExporter writes (BN folded; intra/inter-op threads 1,
/// all graph optimizations, preallocated input and output). Sub-networks: the smallest reference sub-network of the
/// default OFA space (width 1.0, 64 mel bins x 100 frames, 10 classes) and two ultra-small ones of the demo's space
/// (width 0.25, 11 classes): its smallest at full resolution and at the smallest resolution (32 mel bins, hop x2).
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*OnnxRuntimeComparison*'
/// (or `-- ort-interleaved [rounds] [runs]`: the three methods in alternating rounds, medians and minima, see OrtInterleaved).
/// </summary>
[MemoryDiagnoser]
public class OnnxRuntimeComparisonBenchmarks
{
    private StaticMbv3Network _net = null!;
    private InferencePlan _plan = null!;
    private Tensor _input = null!;
    private readonly TensorArena _arena = new();
    private readonly float[] _logits = new float[64];
    private InferenceSession _session = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private RunOptions _runOptions = null!;
    private int _previousThreads;

    [Params("smallest-reference", "demo-smallest-64x1", "demo-smallest-32x2")]
    public string Subnet { get; set; } = "smallest-reference";

    public static (ArchSpace Space, ArchConfig Config) Resolve(string name)
    {
        var demo = ArchSpace.Default with
        {
            WidthMultiplier = 0.25,
            Input = new InputSpec { MelBins = 64, Frames = 101, MelBinChoices = [64, 48, 32], HopFactorChoices = [1, 2] },
            Classes = 11,
        };
        return name switch
        {
            "smallest-reference" => (ArchSpace.Default, ArchConfig.Min(ArchSpace.Default)),
            "demo-smallest-64x1" => (demo, ArchConfig.Min(demo).WithResolution(64, 1)),
            "demo-smallest-32x2" => (demo, ArchConfig.Min(demo).WithResolution(32, 2)),
            _ => throw new ArgumentException($"unknown sub-network '{name}'"),
        };
    }

    [GlobalSetup]
    public void Setup()
    {
        _previousThreads = WorkerPool.MaxThreads;
        WorkerPool.MaxThreads = 1;
        var (space, config) = Resolve(Subnet);
        _net = new StaticMbv3Network(space, config, seed: 1);
        _net.Eval();
        _plan = InferencePlan.Compile(_net);
        var rng = new Random(2);
        _input = Tensor.Uniform(rng, -2f, 2f, 1, 1, space.Input.MelBins, space.Input.Frames);
        using var ms = new MemoryStream();
        OnnxExporter.Export(_net, ms, options: new OnnxExportOptions { IncludeScores = false });
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(ms.ToArray(), options);
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input.Data, [1, 1, space.Input.MelBins, space.Input.Frames]);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(new float[space.Classes], [1, space.Classes]);
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        WorkerPool.MaxThreads = _previousThreads;
    }

    [Benchmark(Baseline = true)]
    public float Engine()
    {
        using var scope = _arena.Begin();
        using var noGrad = GradMode.NoGrad();
        var y = _net.Forward(_input);
        y.Span.CopyTo(_logits);
        return _logits[0];
    }

    [Benchmark]
    public float Plan()
    {
        _plan.Run(_input.Span, _logits);
        return _logits[0];
    }

    [Benchmark]
    public void OnnxRuntime() => _session.Run(_runOptions, [OnnxExporter.InputName], [_ortInput], [OnnxExporter.LogitsName], [_ortOutput]);
}
