namespace AecOfa.Engine.Kernels;

/// <summary>
/// Depthwise convolution kernels over NCHW (weight (C, 1, KH, KW)). Forward overwrites y; the backward kernels
/// ADD into their outputs (gradients accumulate). These loop versions are the correctness baseline; faster
/// vectorized paths are selected inside each entry point.
/// </summary>
public static partial class DepthwiseConv
{
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
        => ForwardSimple(g, x, w, y);

    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx)
        => BackwardInputSimple(g, gy, w, gx);

    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw)
        => BackwardWeightSimple(g, x, gy, gw);

    internal static void ForwardSimple(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        for (int n = 0; n < g.Batch; n++)
            for (int c = 0; c < g.InChannels; c++)
            {
                var xp = x.Slice((n * g.InChannels + c) * g.InH * g.InW, g.InH * g.InW);
                var wp = w.Slice(c * kh * kw, kh * kw);
                var yp = y.Slice((n * g.InChannels + c) * oh * ow, oh * ow);
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        float s = 0;
                        for (int u = 0; u < kh; u++)
                        {
                            int r = i * g.StrideH - g.PadH + u;
                            if ((uint)r >= (uint)g.InH) continue;
                            for (int v = 0; v < kw; v++)
                            {
                                int q = j * g.StrideW - g.PadW + v;
                                if ((uint)q >= (uint)g.InW) continue;
                                s += xp[r * g.InW + q] * wp[u * kw + v];
                            }
                        }
                        yp[i * ow + j] = s;
                    }
            }
    }

    internal static void BackwardInputSimple(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        for (int n = 0; n < g.Batch; n++)
            for (int c = 0; c < g.InChannels; c++)
            {
                var gxp = gx.Slice((n * g.InChannels + c) * g.InH * g.InW, g.InH * g.InW);
                var wp = w.Slice(c * kh * kw, kh * kw);
                var gyp = gy.Slice((n * g.InChannels + c) * oh * ow, oh * ow);
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        float d = gyp[i * ow + j];
                        for (int u = 0; u < kh; u++)
                        {
                            int r = i * g.StrideH - g.PadH + u;
                            if ((uint)r >= (uint)g.InH) continue;
                            for (int v = 0; v < kw; v++)
                            {
                                int q = j * g.StrideW - g.PadW + v;
                                if ((uint)q >= (uint)g.InW) continue;
                                gxp[r * g.InW + q] += d * wp[u * kw + v];
                            }
                        }
                    }
            }
    }

    internal static void BackwardWeightSimple(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        for (int c = 0; c < g.InChannels; c++)
        {
            var gwp = gw.Slice(c * kh * kw, kh * kw);
            for (int n = 0; n < g.Batch; n++)
            {
                var xp = x.Slice((n * g.InChannels + c) * g.InH * g.InW, g.InH * g.InW);
                var gyp = gy.Slice((n * g.InChannels + c) * oh * ow, oh * ow);
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++)
                    {
                        float s = 0;
                        for (int i = 0; i < oh; i++)
                        {
                            int r = i * g.StrideH - g.PadH + u;
                            if ((uint)r >= (uint)g.InH) continue;
                            for (int j = 0; j < ow; j++)
                            {
                                int q = j * g.StrideW - g.PadW + v;
                                if ((uint)q >= (uint)g.InW) continue;
                                s += xp[r * g.InW + q] * gyp[i * ow + j];
                            }
                        }
                        gwp[u * kw + v] += s;
                    }
            }
        }
    }
}
