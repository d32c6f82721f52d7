using System.Globalization;
using AecOfa.Engine.Kernels;

namespace AecOfa.Benchmarks;

/// <summary>
/// `... -- depthwise-probe [--batch 32] [--threads 1]`: planar vs channels-last depthwise, forward and backward (input +
/// weight gradient, as a training step calls them), on the depthwise layers of the demo's space (width 0.25 on 64x101:
/// 8-240 channels, maps 32x51 .. 2x4, kernels 3/5/7, strides 1/2), timed by the calling thread's CPU clock (best of 5
/// repeats; robust to other load on the host), with the automatic choice of <see cref="DepthwiseConv.UseChannelsLast"/>.
/// The numbers that decide that choice.
/// </summary>
public static class DepthwiseLayoutProbe
{
    public static void Run(string[] args)
    {
        int batch = 32, threads = 1;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--batch") batch = BenchArgs.PositiveInt("--batch", args[++i]);
            else if (args[i] == "--threads") threads = BenchArgs.PositiveInt("--threads", args[++i]);
            else throw new ArgumentException($"depthwise-probe: unknown argument '{args[i]}'.");
        }
        // channels, input H, input W, stride: the demo space's depthwise inputs (stage by stage) at every kernel size.
        var layers = new (int C, int H, int W, int S)[]
        {
            (8, 32, 51, 1), (48, 32, 51, 2), (48, 16, 26, 1), (48, 16, 26, 2), (96, 8, 13, 1), (96, 8, 13, 2),
            (144, 4, 7, 1), (192, 4, 7, 1), (192, 4, 7, 2), (240, 2, 4, 1), (24, 16, 26, 1), (24, 8, 13, 1),
        };
        WarmUp(batch, threads);
        Console.WriteLine($"batch {batch}, {threads} thread(s); ms per call (thread CPU, best of 5); ratio = planar / channels-last");
        Console.WriteLine("layer (C HxW s k)  fwd planar   fwd CL  ratio | bwd planar   CL  ratio | input grad P / CL | weight grad P / CL | auto");
        foreach (var (c, h, w, s) in layers)
            foreach (int k in new[] { 3, 5, 7 })
            {
                var g = ConvGeometry.Square(batch, c, c, h, w, k, s, k / 2, c);
                var rng = new Random(1);
                var x = DepthwiseConvBenchmarks.Fill(batch * c * h * w, rng);
                var wt = DepthwiseConvBenchmarks.Fill(c * k * k, rng);
                var gy = DepthwiseConvBenchmarks.Fill(batch * c * g.OutH * g.OutW, rng);
                var y = new float[gy.Length];
                var gx = new float[x.Length];
                var gw = new float[wt.Length];
                double Fwd(DepthwiseConvPath p) => Time(() => DepthwiseConv.Forward(g, x, wt, y, DepthwiseConvIsa.Auto, threads, p));
                double Bwd(DepthwiseConvPath p) => Time(() => DepthwiseConv.Backward(g, x, gy, wt, gx, gw, DepthwiseConvIsa.Auto, threads, p, gxAccumulate: false));
                double Gx(DepthwiseConvPath p) => Time(() => DepthwiseConv.BackwardInput(g, gy, wt, gx, DepthwiseConvIsa.Auto, threads, p, accumulate: false));
                double Gw(DepthwiseConvPath p) => Time(() => DepthwiseConv.BackwardWeight(g, x, gy, gw, DepthwiseConvIsa.Auto, threads, p));
                double fp = Fwd(DepthwiseConvPath.Planar), fc = Fwd(DepthwiseConvPath.ChannelsLast);
                double bp = Bwd(DepthwiseConvPath.Planar), bc = Bwd(DepthwiseConvPath.ChannelsLast);
                double xp = Gx(DepthwiseConvPath.Planar), xc = Gx(DepthwiseConvPath.ChannelsLast);
                double wp = Gw(DepthwiseConvPath.Planar), wc = Gw(DepthwiseConvPath.ChannelsLast);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c,4} {h,2}x{w,-3} s{s} k{k}  {fp,8:F3} {fc,8:F3} {fp / fc,6:F2} | {bp,8:F3} {bc,8:F3} {bp / bc,6:F2} | {xp,8:F3} {xc,8:F3} | {wp,8:F3} {wc,8:F3} | {(DepthwiseConv.UseChannelsLast(g) ? "CL" : "planar")}"));
            }
    }

    /// <summary>
    /// Every path's kernels through the tiered JIT before anything is timed: a kernel's first calls run unoptimized
    /// code (seconds of it for generic block kernels), which made the first rows of the table meaningless.
    /// </summary>
    private static void WarmUp(int batch, int threads)
    {
        foreach (var (c, h, w, s) in new[] { (8, 16, 26, 1), (8, 16, 26, 2) })
            foreach (int k in new[] { 3, 5, 7 })
            {
                var g = ConvGeometry.Square(batch, c, c, h, w, k, s, k / 2, c);
                var x = new float[batch * c * h * w];
                var wt = new float[c * k * k];
                var gy = new float[batch * c * g.OutH * g.OutW];
                var y = new float[gy.Length];
                var gx = new float[x.Length];
                var gw = new float[wt.Length];
                for (int i = 0; i < 40; i++)
                    foreach (var path in new[] { DepthwiseConvPath.Planar, DepthwiseConvPath.ChannelsLast })
                    {
                        DepthwiseConv.Forward(g, x, wt, y, DepthwiseConvIsa.Auto, threads, path);
                        DepthwiseConv.Backward(g, x, gy, wt, gx, gw, DepthwiseConvIsa.Auto, threads, path, gxAccumulate: false);
                    }
            }
        Thread.Sleep(300); // the JIT's background tier-up
    }

    private static double Time(Action action)
    {
        for (int i = 0; i < 3; i++) action();
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            int calls = 5;
            long t0 = ThreadCpuClock.Now();
            for (int i = 0; i < calls; i++) action();
            best = Math.Min(best, (ThreadCpuClock.Now() - t0) / 1e6 / calls);
        }
        return best;
    }
}
