using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

/// <summary>Naive float64 depthwise convolution (forward, input and weight gradients) that the kernels are checked against.</summary>
internal static class DepthwiseConvReference
{
    public static double[] Forward(in ConvGeometry g, double[] x, double[] w)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, c = g.InChannels;
        var y = new double[g.Batch * c * oh * ow];
        for (int n = 0; n < g.Batch; n++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double s = 0;
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++)
                            {
                                int r = i * g.StrideH - g.PadH + u, q = j * g.StrideW - g.PadW + v;
                                if (r < 0 || r >= g.InH || q < 0 || q >= g.InW) continue;
                                s += x[((n * c + ci) * g.InH + r) * g.InW + q] * w[(ci * kh + u) * kw + v];
                            }
                        y[((n * c + ci) * oh + i) * ow + j] = s;
                    }
        return y;
    }

    /// <summary>Returns (dL/dx, dL/dw) for dL/dy = gy.</summary>
    public static (double[] Gx, double[] Gw) Backward(in ConvGeometry g, double[] x, double[] w, double[] gy)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, c = g.InChannels;
        var gx = new double[x.Length];
        var gw = new double[w.Length];
        for (int n = 0; n < g.Batch; n++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double d = gy[((n * c + ci) * oh + i) * ow + j];
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++)
                            {
                                int r = i * g.StrideH - g.PadH + u, q = j * g.StrideW - g.PadW + v;
                                if (r < 0 || r >= g.InH || q < 0 || q >= g.InW) continue;
                                int xi = ((n * c + ci) * g.InH + r) * g.InW + q, wi = (ci * kh + u) * kw + v;
                                gx[xi] += d * w[wi];
                                gw[wi] += d * x[xi];
                            }
                    }
        return (gx, gw);
    }
}
