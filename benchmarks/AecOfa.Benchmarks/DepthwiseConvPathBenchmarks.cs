using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks;

/// <summary>
/// The two depthwise layouts side by side on the 3x3 layers of the smallest reference subnet (batch 32): planar (vectors
/// along a row, band/phase layouts) against channels-last (vectors across 8 channels after a per-clip transpose).
/// `UseChannelsLast` picks one per geometry; this shows the margin on each side of that choice.
/// `dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*DepthwiseConvPath*'`
/// </summary>
[Config(typeof(DepthwiseConvBenchmarks.ShortConfig))]
public class DepthwiseConvPathBenchmarks
{
    /// <summary>channels, input H, input W, stride: the smallest subnet's 3x3 depthwise layers.</summary>
    [Params("48,32,50,2", "72,16,25,2", "72,16,25,1", "240,8,13,2", "336,4,7,1", "480,2,4,1")]
    public string Shape { get; set; } = "48,32,50,2";

    [Params("planar", "channels-last")]
    public string Path { get; set; } = "planar";

    [Params(1, 2)]
    public int Threads { get; set; }

    private ConvGeometry _g;
    private DepthwiseConvPath _path;
    private float[] _x = [], _w = [], _y = [], _gx = [], _gw = [];

    [GlobalSetup]
    public void Setup()
    {
        var p = Array.ConvertAll(Shape.Split(','), int.Parse);
        _g = ConvGeometry.Square(32, p[0], p[0], p[1], p[2], 3, p[3], 1, p[0]);
        _path = Path == "planar" ? DepthwiseConvPath.Planar : DepthwiseConvPath.ChannelsLast;
        var rng = new Random(1);
        _x = DepthwiseConvBenchmarks.Fill(32 * p[0] * p[1] * p[2], rng);
        _w = DepthwiseConvBenchmarks.Fill(p[0] * 9, rng);
        _y = DepthwiseConvBenchmarks.Fill(32 * p[0] * _g.OutH * _g.OutW, rng);
        _gx = new float[_x.Length];
        _gw = new float[_w.Length];
        Console.WriteLine($"// MACs {_g.Macs} for {Shape} k=3, auto path: {(DepthwiseConv.UseChannelsLast(_g) ? "channels-last" : "planar")}");
    }

    [Benchmark]
    public void Forward() => DepthwiseConv.Forward(_g, _x, _w, _y, DepthwiseConvIsa.Auto, Threads, _path);

    /// <summary>Input and weight gradient together, a fresh input gradient written (as a training step calls it).</summary>
    [Benchmark]
    public void Backward() => DepthwiseConv.Backward(_g, _x, _y, _w, _gx, _gw, DepthwiseConvIsa.Auto, Threads, _path, gxAccumulate: false);
}
