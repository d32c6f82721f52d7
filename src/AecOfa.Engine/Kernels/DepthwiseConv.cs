namespace AecOfa.Engine.Kernels;

/// <summary>
/// Depthwise convolution kernels over NCHW (weight (C, 1, KH, KW)). Forward overwrites y; the backward kernels
/// ADD into their outputs (gradients accumulate). The entry points run the vectorized flat-layout kernels
/// (DepthwiseConvForward/BackwardInput/BackwardWeight.cs); the loop versions below are the correctness baseline.
/// </summary>
public static unsafe partial class DepthwiseConv
{
    /// <summary>y = depthwise conv(x, w), on up to <see cref="WorkerPool.MaxThreads"/> threads (split over planes).</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
        => Forward(g, x, w, y, DepthwiseConvIsa.Auto, WorkerPool.MaxThreads);

    /// <summary>gx += dL/dx for dL/dy = gy (split over planes). Bitwise independent of the thread count.</summary>
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx)
        => BackwardInput(g, gy, w, gx, DepthwiseConvIsa.Auto, WorkerPool.MaxThreads);

    /// <summary>gw += dL/dw for dL/dy = gy (split over channels). Bitwise independent of the thread count.</summary>
    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw)
        => BackwardWeight(g, x, gy, gw, DepthwiseConvIsa.Auto, WorkerPool.MaxThreads);

    /// <summary>
    /// Both gradients in one call: gx += dL/dx (or, with <paramref name="gxAccumulate"/> false, gx = dL/dx: a fresh
    /// gradient buffer needs no clearing pass) and gw += dL/dw. Where the channels-last path is chosen they share one
    /// transpose of gy per clip. An empty gx or gw skips that gradient.
    /// </summary>
    public static void Backward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx, Span<float> gw,
        bool gxAccumulate = true)
        => Backward(g, x, gy, w, gx, gw, DepthwiseConvIsa.Auto, WorkerPool.MaxThreads, DepthwiseConvPath.Auto, gxAccumulate);

    internal static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, DepthwiseConvIsa isa, int threads = 1,
        DepthwiseConvPath path = DepthwiseConvPath.Auto)
    {
        Validate(g, x.Length, nameof(x), w.Length, y.Length, nameof(y));
        if (Resolve(path, g)) ChannelsLastParallel(g, x, w, y, default, default, default, threads, forward: true);
        else ForwardParallel(g, x, w, y, isa, threads);
    }

    internal static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx, DepthwiseConvIsa isa, int threads = 1,
        DepthwiseConvPath path = DepthwiseConvPath.Auto, bool accumulate = true)
    {
        Validate(g, gx.Length, nameof(gx), w.Length, gy.Length, nameof(gy));
        if (Resolve(path, g)) ChannelsLastParallel(g, default, w, default, gy, gx, default, threads, forward: false, accumulate);
        else BackwardInputParallel(g, gy, w, gx, isa, threads, accumulate);
    }

    internal static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw, DepthwiseConvIsa isa, int threads = 1,
        DepthwiseConvPath path = DepthwiseConvPath.Auto)
    {
        Validate(g, x.Length, nameof(x), gw.Length, gy.Length, nameof(gy));
        if (Resolve(path, g)) ChannelsLastParallel(g, x, default, default, gy, default, gw, threads, forward: false);
        else BackwardWeightParallel(g, x, gy, gw, isa, threads);
    }

    internal static void Backward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx, Span<float> gw,
        DepthwiseConvIsa isa, int threads = 1, DepthwiseConvPath path = DepthwiseConvPath.Auto, bool gxAccumulate = true)
    {
        if (!Resolve(path, g) || gx.IsEmpty || gw.IsEmpty)
        {
            if (!gx.IsEmpty) BackwardInput(g, gy, w, gx, isa, threads, path, gxAccumulate);
            if (!gw.IsEmpty) BackwardWeight(g, x, gy, gw, isa, threads, path);
            return;
        }
        Validate(g, gx.Length, nameof(gx), w.Length, gy.Length, nameof(gy));
        Validate(g, x.Length, nameof(x), gw.Length, gy.Length, nameof(gy));
        ChannelsLastParallel(g, x, w, default, gy, gx, gw, threads, forward: false, gxAccumulate);
    }

    /// <summary>Checks the geometry is depthwise and every span holds its tensor (input-sized, weight, output-sized).</summary>
    private static void Validate(in ConvGeometry g, int inLength, string inName, int wLength, int outLength, string outName)
    {
        g.Validate();
        if (!g.IsDepthwise)
            throw new ArgumentException($"DepthwiseConv: geometry {g} is not depthwise (expected Groups == InChannels == OutChannels).", nameof(g));
        long nIn = (long)g.Batch * g.InChannels * g.InH * g.InW;
        long nOut = (long)g.Batch * g.InChannels * g.OutH * g.OutW;
        long nW = (long)g.InChannels * g.KernelH * g.KernelW;
        if (nIn > int.MaxValue || nOut > int.MaxValue)
            throw new ArgumentException($"DepthwiseConv: tensors of geometry {g} exceed int.MaxValue elements.", nameof(g));
        if (inLength < nIn)
            throw new ArgumentException($"DepthwiseConv: {inName} has {inLength} elements, expected at least {nIn} (N*C*H*W).", inName);
        if (outLength < nOut)
            throw new ArgumentException($"DepthwiseConv: {outName} has {outLength} elements, expected at least {nOut} (N*C*OH*OW).", outName);
        if (wLength < nW)
            throw new ArgumentException($"DepthwiseConv: weight has {wLength} elements, expected at least {nW} (C*KH*KW).", "w");
    }

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
