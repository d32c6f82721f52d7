using System.Diagnostics;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;

namespace AecOfa.Benchmarks;

/// <summary>`-- pointwise`: times the 1x1 conv paths (per-clip GEMMs vs one batched GEMM) at the reference subnets' shapes.</summary>
public static class PointwiseProbe
{
    public static void Run()
    {
        WorkerPool.MaxThreads = 1;
        var shapes = new (int Cin, int Cout, int H, int W)[]
        {
            (16, 48, 32, 50), (48, 24, 16, 25), (24, 72, 16, 25), (72, 40, 8, 13), (40, 120, 8, 13), (120, 40, 8, 13),
            (40, 120, 4, 7), (240, 80, 4, 7), (80, 240, 4, 7), (336, 112, 2, 4), (112, 336, 2, 4), (160, 960, 2, 4),
        };
        foreach (var (cin, cout, h, w) in shapes)
        {
            var rng = new Random(1);
            var x = Tensor.Randn(rng, 1f, 32, cin, h, w);
            var wt = Tensor.Randn(rng, 0.1f, cout, cin, 1, 1);
            var g = new ConvGeometry(32, cin, cout, h, w, 1, 1, 1, 1, 0, 0, 1);
            var y = new float[32 * cout * h * w];
            var gx = new float[x.Numel];
            var gw = new float[wt.Numel];
            double Time(Action a)
            {
                for (int i = 0; i < 3; i++) a();
                var best = double.MaxValue;
                for (int r = 0; r < 5; r++)
                {
                    var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                    for (int i = 0; i < 5; i++) a();
                    best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds / 5);
                }
                return best;
            }
            double perClipF = Time(() => PerClipForward(g, x.Data, wt.Data, y));
            double batchedF = Time(() => TensorOps.PointwiseForwardBatched(g, x.Data, wt.Data, y));
            double perClipB = Time(() => { TensorOps.ConvBackwardInput(g, y, wt.Data, gx); TensorOps.ConvBackwardWeight(g, x.Data, y, gw); });
            double batchedB = Time(() => TensorOps.PointwiseBackwardBatched(g, x.Data, wt.Data, y, gx, gw));
            double bIn = Time(() => TensorOps.ConvBackwardInput(g, y, wt.Data, gx));
            double bW = Time(() => TensorOps.ConvBackwardWeight(g, x.Data, y, gw));
            Console.Write($"[per-clip bwd input {bIn:F2} weight {bW:F2}] ");
            double gmac = 32.0 * cin * cout * h * w / 1e9;
            Console.WriteLine($"{cin,4}->{cout,4} {h}x{w,-3}: fwd per-clip {perClipF,7:F2} ms batched {batchedF,7:F2} ms | bwd per-clip {perClipB,7:F2} batched {batchedB,7:F2} | {gmac / (Math.Min(perClipF, batchedF) / 1000):F0} GMAC/s fwd");
        }
    }

    private static void PerClipForward(in ConvGeometry g, float[] x, float[] w, float[] y)
    {
        int inPlane = g.InChannels * g.InH * g.InW, outHw = g.OutH * g.OutW, outPlane = g.OutChannels * outHw;
        for (int n = 0; n < g.Batch; n++)
            Gemm.Sgemm(false, false, g.OutChannels, outHw, g.InChannels, w, g.InChannels,
                x.AsSpan(n * inPlane, inPlane), outHw, y.AsSpan(n * outPlane, outPlane), outHw, accumulate: false);
    }
}
