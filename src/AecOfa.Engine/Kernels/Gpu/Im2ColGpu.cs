using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// The column matrices of a general convolution (the stem) on the device: per clip, col (Cin*KH*KW, OH*OW), so a
/// convolution is a batched GEMM. Fold (the input gradient) gathers every column entry that came from an input element,
/// one thread per input element: no atomics, deterministic.
/// </summary>
internal static class Im2ColGpu
{
    [GpuKernel]
    private static void UnfoldKernel(Index1D i, ArrayView<float> x, ArrayView<float> col, ConvShape s)
    {
        int positions = s.OutH * s.OutW, rows = s.Channels * s.KernelH * s.KernelW;
        int o = i % positions, r = i / positions % rows, n = i / (positions * rows);
        int c = r / (s.KernelH * s.KernelW), kh = r / s.KernelW % s.KernelH, kw = r % s.KernelW;
        int ih = o / s.OutW * s.StrideH - s.PadH + kh, iw = o % s.OutW * s.StrideW - s.PadW + kw;
        col[i] = ih >= 0 && ih < s.InH && iw >= 0 && iw < s.InW ? x[((n * s.Channels + c) * s.InH + ih) * s.InW + iw] : 0f;
    }

    [GpuKernel]
    private static void FoldKernel(Index1D i, ArrayView<float> col, ArrayView<float> gx, ConvShape s, int accumulate)
    {
        int iw = i % s.InW, ih = i / s.InW % s.InH, c = i / (s.InW * s.InH) % s.Channels, n = i / (s.InW * s.InH * s.Channels);
        int positions = s.OutH * s.OutW, rows = s.Channels * s.KernelH * s.KernelW;
        float sum = 0f;
        for (int kh = 0; kh < s.KernelH; kh++)
        {
            int th = ih + s.PadH - kh;
            if (th < 0 || th % s.StrideH != 0 || th / s.StrideH >= s.OutH) continue;
            for (int kw = 0; kw < s.KernelW; kw++)
            {
                int tw = iw + s.PadW - kw;
                if (tw < 0 || tw % s.StrideW != 0 || tw / s.StrideW >= s.OutW) continue;
                int r = (c * s.KernelH + kh) * s.KernelW + kw;
                sum += col[(n * rows + r) * positions + th / s.StrideH * s.OutW + tw / s.StrideW];
            }
        }
        gx[i] = accumulate != 0 ? gx[i] + sum : sum;
    }

    /// <summary>col (N, Cin*KH*KW, OH*OW) from x (N, Cin, H, W).</summary>
    public static void Unfold(GpuContext gpu, ArrayView<float> x, ArrayView<float> col, ConvShape s)
    {
        long n = (long)s.Batch * s.Channels * s.KernelH * s.KernelW * s.OutH * s.OutW;
        if (n == 0) return;
        gpu.Kernel("Im2Col.Unfold", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvShape>(UnfoldKernel))((int)n, x, col, s);
    }

    /// <summary>gx (N, Cin, H, W) = the adjoint of <see cref="Unfold"/> applied to dcol, added when <paramref name="accumulate"/>.</summary>
    public static void Fold(GpuContext gpu, ArrayView<float> col, ArrayView<float> gx, ConvShape s, bool accumulate)
    {
        if (gx.Length == 0) return;
        gpu.Kernel("Im2Col.Fold", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvShape, int>(FoldKernel))((int)gx.Length, col, gx, s, accumulate ? 1 : 0);
    }
}
