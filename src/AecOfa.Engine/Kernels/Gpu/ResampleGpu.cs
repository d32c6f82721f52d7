using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>Geometry of a resampling of (planes, H, W) maps to (planes, OutH, ceil(W / Pool)), as a kernel argument.</summary>
internal struct ResampleShape
{
    public int InH, InW, OutH, OutW, Pool;
}

/// <summary>
/// The resolution op on the device: each output row interpolates two input rows (lower row index and upper weight per
/// output row, in float64 on the host, float32 here), each output column is the mean of Pool consecutive columns.
/// Forward gathers per output element; the input gradient gathers per input element over the output rows that read it.
/// </summary>
internal static class ResampleGpu
{
    [GpuKernel]
    private static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> lower, ArrayView<float> upper, ArrayView<float> y, ResampleShape s)
    {
        int t = i % s.OutW, j = i / s.OutW % s.OutH, p = i / (s.OutW * s.OutH);
        int i0 = (int)lower[j], i1 = i0 + 1 < s.InH ? i0 + 1 : s.InH - 1;
        int start = t * s.Pool, end = start + s.Pool < s.InW ? start + s.Pool : s.InW;
        float s0 = 0f, s1 = 0f;
        for (int f = start; f < end; f++)
        {
            s0 += x[(p * s.InH + i0) * s.InW + f];
            s1 += x[(p * s.InH + i1) * s.InW + f];
        }
        y[i] = ((1f - upper[j]) * s0 + upper[j] * s1) / (end - start);
    }

    [GpuKernel]
    private static void BackwardKernel(Index1D i, ArrayView<float> gy, ArrayView<float> lower, ArrayView<float> upper, ArrayView<float> gx, ResampleShape s)
    {
        int f = i % s.InW, r = i / s.InW % s.InH, p = i / (s.InW * s.InH);
        int t = f / s.Pool, start = t * s.Pool, end = start + s.Pool < s.InW ? start + s.Pool : s.InW;
        float g = 0f;
        for (int j = 0; j < s.OutH; j++)
        {
            int i0 = (int)lower[j], i1 = i0 + 1 < s.InH ? i0 + 1 : s.InH - 1;
            float w = (i0 == r ? 1f - upper[j] : 0f) + (i1 == r ? upper[j] : 0f);
            if (w != 0f) g += w * gy[(p * s.OutH + j) * s.OutW + t];
        }
        gx[i] += g / (end - start);
    }

    public static void Forward(GpuContext gpu, ArrayView<float> x, ArrayView<float> lower, ArrayView<float> upper, ArrayView<float> y, ResampleShape s)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Resample.Forward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResampleShape>(ForwardKernel))((int)y.Length, x, lower, upper, y, s);
    }

    /// <summary>Adds the input gradient into gx.</summary>
    public static void Backward(GpuContext gpu, ArrayView<float> gy, ArrayView<float> lower, ArrayView<float> upper, ArrayView<float> gx, ResampleShape s)
    {
        if (gx.Length == 0) return;
        gpu.Kernel("Resample.Backward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ResampleShape>(BackwardKernel))((int)gx.Length, gy, lower, upper, gx, s);
    }
}
