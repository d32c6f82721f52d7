using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Depthwise convolution on the device (any kernel size and stride; the supernet uses 3/5/7 and 1/2). Forward and the
/// input gradient are gathers (one thread per output / input element, no atomics); the weight gradient is one group per
/// weight element reducing over batch and positions in shared memory. Every sum has a fixed order: deterministic.
/// </summary>
internal static class DepthwiseConvGpu
{
    [GpuKernel]
    private static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, ConvShape s)
    {
        int ow = i % s.OutW, oh = i / s.OutW % s.OutH, plane = i / (s.OutW * s.OutH), c = plane % s.Channels;
        int xBase = plane * s.InH * s.InW, wBase = c * s.KernelH * s.KernelW;
        float sum = 0f;
        for (int kh = 0; kh < s.KernelH; kh++)
        {
            int ih = oh * s.StrideH - s.PadH + kh;
            if (ih < 0 || ih >= s.InH) continue;
            for (int kw = 0; kw < s.KernelW; kw++)
            {
                int iw = ow * s.StrideW - s.PadW + kw;
                if (iw >= 0 && iw < s.InW) sum += x[xBase + ih * s.InW + iw] * w[wBase + kh * s.KernelW + kw];
            }
        }
        y[i] = sum;
    }

    [GpuKernel]
    private static void BackwardInputKernel(Index1D i, ArrayView<float> gy, ArrayView<float> w, ArrayView<float> gx, ConvShape s, int accumulate)
    {
        int iw = i % s.InW, ih = i / s.InW % s.InH, plane = i / (s.InW * s.InH), c = plane % s.Channels;
        int yBase = plane * s.OutH * s.OutW, wBase = c * s.KernelH * s.KernelW;
        float sum = 0f;
        for (int kh = 0; kh < s.KernelH; kh++)
        {
            int th = ih + s.PadH - kh;
            if (th < 0 || th % s.StrideH != 0) continue;
            int oh = th / s.StrideH;
            if (oh >= s.OutH) continue;
            for (int kw = 0; kw < s.KernelW; kw++)
            {
                int tw = iw + s.PadW - kw;
                if (tw < 0 || tw % s.StrideW != 0) continue;
                int ow = tw / s.StrideW;
                if (ow < s.OutW) sum += gy[yBase + oh * s.OutW + ow] * w[wBase + kh * s.KernelW + kw];
            }
        }
        gx[i] = accumulate != 0 ? gx[i] + sum : sum;
    }

    /// <summary>Group g = (c, kh, kw): its threads stride over (n, oh, ow), then a tree sum; gw[g] += total.</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void BackwardWeightKernel(ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gw, ConvShape s)
    {
        int g = Grid.IdxX, kk = s.KernelH * s.KernelW;
        int c = g / kk, kh = g % kk / s.KernelW, kw = g % s.KernelW;
        int positions = s.OutH * s.OutW, total = s.Batch * positions;
        float sum = 0f;
        for (int p = Group.IdxX; p < total; p += Group.DimX)
        {
            int n = p / positions, o = p % positions, oh = o / s.OutW, ow = o % s.OutW;
            int ih = oh * s.StrideH - s.PadH + kh, iw = ow * s.StrideW - s.PadW + kw;
            if (ih >= 0 && ih < s.InH && iw >= 0 && iw < s.InW)
            {
                int plane = n * s.Channels + c;
                sum += x[(plane * s.InH + ih) * s.InW + iw] * gy[plane * positions + o];
            }
        }
        float all = GroupReduction.Sum(sum);
        if (Group.IdxX == 0) gw[g] += all;
    }

    public static void Forward(GpuContext gpu, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, ConvShape s)
    {
        if (y.Length == 0) return;
        gpu.Kernel("DepthwiseConv.Forward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(ForwardKernel))((int)y.Length, x, w, y, s);
    }

    /// <summary>gx = conv^T(gy), added into gx when <paramref name="accumulate"/>.</summary>
    public static void BackwardInput(GpuContext gpu, ArrayView<float> gy, ArrayView<float> w, ArrayView<float> gx, ConvShape s, bool accumulate)
    {
        if (gx.Length == 0) return;
        gpu.Kernel("DepthwiseConv.BackwardInput", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, int>(BackwardInputKernel))(
            (int)gx.Length, gy, w, gx, s, accumulate ? 1 : 0);
    }

    /// <summary>Adds the weight gradient into gw (C, 1, KH, KW).</summary>
    public static void BackwardWeight(GpuContext gpu, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gw, ConvShape s)
    {
        int weights = s.Channels * s.KernelH * s.KernelW;
        if (weights == 0) return;
        gpu.Kernel("DepthwiseConv.BackwardWeight", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(BackwardWeightKernel))(
            new KernelConfig(weights, gpu.ReductionGroupSize), x, gy, gw, s);
    }
}
