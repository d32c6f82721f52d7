using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AecOfa.Benchmarks;

/// <summary>
/// Depthwise convolution kernels at the reference subnets' shapes, batch 32, padding k/2.
/// GMAC/s = <see cref="Macs"/> / mean time (MACs = N*C*OH*OW*k*k). A short in-process job of single calls: the shared machine is loaded.
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*DepthwiseConvBenchmarks*'
/// </summary>
[Config(typeof(ShortConfig))]
public class DepthwiseConvBenchmarks
{
    internal sealed class ShortConfig : ManualConfig
    {
        public ShortConfig()
        {
            // One call per iteration: on the shared, loaded machine the minimum over 25 single calls is the least
            // disturbed estimate, the median shows the disturbance. 200 warm-up calls: tiered JIT promotes a method
            // after 30 calls, but only once 100 ms pass without new tier-0 compilations, then compiles it in the
            // background; with 5 warm-up calls every measured call ran unoptimized code, 2-5x slower, and 60 were
            // not always enough (benchmarks/RESULTS.md, second pass).
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(200).WithIterationCount(25)
                .WithInvocationCount(1).WithUnrollFactor(1).WithLaunchCount(1).WithId("single-call"));
            AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        }
    }

    /// <summary>C x H x W and stride, as "C,H,W,S".</summary>
    [Params("96,32,50,1", "144,16,25,1", "240,8,13,1", "480,4,7,1", "960,2,4,1", "144,32,50,2")]
    public string Shape { get; set; } = "96,32,50,1";

    [Params(3, 5, 7)]
    public int K { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    private ConvGeometry _g;
    private float[] _x = [], _w = [], _y = [], _gx = [], _gw = [];

    public long Macs => _g.Macs;

    [GlobalSetup]
    public void Setup()
    {
        var p = Array.ConvertAll(Shape.Split(','), int.Parse);
        _g = ConvGeometry.Square(32, p[0], p[0], p[1], p[2], K, p[3], K / 2, p[0]);
        var rng = new Random(1);
        _x = Fill(32 * p[0] * p[1] * p[2], rng);
        _w = Fill(p[0] * K * K, rng);
        _y = Fill(32 * p[0] * _g.OutH * _g.OutW, rng);
        _gx = new float[_x.Length];
        _gw = new float[_w.Length];
        Console.WriteLine($"// MACs {_g.Macs} for {Shape} k={K}");
    }

    internal static float[] Fill(int n, Random rng)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() - 0.5);
        return a;
    }

    [Benchmark]
    public void Forward() => DepthwiseConv.Forward(_g, _x, _w, _y, DepthwiseConvIsa.Auto, Threads);

    [Benchmark]
    public void BackwardInput() => DepthwiseConv.BackwardInput(_g, _y, _w, _gx, DepthwiseConvIsa.Auto, Threads);

    [Benchmark]
    public void BackwardWeight() => DepthwiseConv.BackwardWeight(_g, _x, _y, _gw, DepthwiseConvIsa.Auto, Threads);
}
