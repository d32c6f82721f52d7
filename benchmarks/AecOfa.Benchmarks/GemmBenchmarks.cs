using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks;

/// <summary>
/// Gemm.Sgemm on square problems and on the 1x1-convolution / linear shapes of the reference subnets
/// (OFA MobileNetV3 on 1x64x100 log-mel, batch 32), each with 1 and 2 pool threads.
/// 1x1 conv as GEMM: M = Cout, N = H*W (one clip) or 32*H*W (whole batch laid out channel-major), K = Cin.
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*FmaPeak*' '*Gemm*' --join
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public class GemmBenchmarks
{
    public static IEnumerable<GemmShape> Shapes()
    {
        yield return new GemmShape("square", 256, 256, 256);
        yield return new GemmShape("square", 512, 512, 512);
        yield return new GemmShape("square", 1024, 1024, 1024);
        // (label, Cout, H*W, Cin) per clip, then the same layer with the batch folded into N.
        (string Label, int M, int Hw, int K)[] layers =
        [
            ("s1.expand 16->96 @32x50", 96, 1600, 16),
            ("s1.project 96->24 @16x25", 24, 400, 96),
            ("s2.expand 40->160 @8x13", 160, 104, 40),
            ("s4.expand 112->672 @4x7", 672, 28, 112),
            ("s4.project 672->112 @4x7", 112, 28, 672),
            ("s5.expand 160->960 @2x4", 960, 8, 160),
            ("s5.project 960->160 @2x4", 160, 8, 960),
        ];
        foreach (var l in layers) yield return new GemmShape("clip " + l.Label, l.M, l.Hw, l.K);
        foreach (var l in layers) yield return new GemmShape("batch32 " + l.Label, l.M, 32 * l.Hw, l.K);
        // Linear layers at batch 32: Y[32 x out] = X[32 x in] W^T, W stored out x in.
        yield return new GemmShape("linear 960->1280 b32", 32, 1280, 960, TransB: true);
        yield return new GemmShape("linear 1280->10 b32", 32, 10, 1280, TransB: true);
    }

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = new("square", 256, 256, 256);

    [Params(1, 2)]
    public int Threads { get; set; }

    private float[] _a = [], _b = [], _c = [];

    [GlobalSetup]
    public void Setup()
    {
        WorkerPool.MaxThreads = Threads;
        var rng = new Random(42);
        _a = Fill(rng, Shape.M * Shape.K);
        _b = Fill(rng, Shape.K * Shape.N);
        _c = new float[Shape.M * Shape.N];
    }

    [Benchmark]
    public void Sgemm()
    {
        var s = Shape;
        Gemm.Sgemm(false, s.TransB, s.M, s.N, s.K, _a, s.K, _b, s.TransB ? s.K : s.N, _c, s.N, accumulate: false);
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        return x;
    }
}
