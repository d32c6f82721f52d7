using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>Element-wise device kernels: fill, sum of two tensors, accumulate-or-write of a gradient, per-channel bias.</summary>
internal static class ElementwiseGpu
{
    [GpuKernel]
    private static void FillKernel(Index1D i, ArrayView<float> y, float value) => y[i] = value;

    [GpuKernel]
    private static void AddKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] + b[i];

    /// <summary>dst = src (accumulate 0) or dst += src (accumulate 1): a backward pass's write into a gradient.</summary>
    [GpuKernel]
    private static void AccumulateKernel(Index1D i, ArrayView<float> src, ArrayView<float> dst, int accumulate)
        => dst[i] = accumulate != 0 ? dst[i] + src[i] : src[i];

    [GpuKernel]
    private static void AddScalarKernel(Index1D i, ArrayView<float> dst, float value) => dst[i] += value;

    /// <summary>y[n, c, j] += bias[c] over (N, C, hw).</summary>
    [GpuKernel]
    private static void AddChannelBiasKernel(Index1D i, ArrayView<float> y, ArrayView<float> bias, int channels, int hw) => y[i] += bias[i / hw % channels];

    /// <summary>gb[c] += sum over n and j of gy[n, c, j], in index order (one thread per channel).</summary>
    [GpuKernel]
    private static void ChannelBiasGradientKernel(Index1D c, ArrayView<float> gy, ArrayView<float> gb, int batch, int channels, int hw)
    {
        float s = 0f;
        for (int n = 0; n < batch; n++)
            for (int j = 0; j < hw; j++) s += gy[(n * channels + c) * hw + j];
        gb[c] += s;
    }

    public static void AddChannelBias(GpuContext gpu, ArrayView<float> y, ArrayView<float> bias, int channels, int hw)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Elementwise.AddChannelBias", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(AddChannelBiasKernel))((int)y.Length, y, bias, channels, hw);
    }

    public static void ChannelBiasGradient(GpuContext gpu, ArrayView<float> gy, ArrayView<float> gb, int batch, int channels, int hw)
        => gpu.Kernel("Elementwise.ChannelBiasGradient", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ChannelBiasGradientKernel))(
            channels, gy, gb, batch, channels, hw);

    public static void Fill(GpuContext gpu, ArrayView<float> y, float value)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Elementwise.Fill", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(FillKernel))((int)y.Length, y, value);
    }

    public static void Add(GpuContext gpu, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Elementwise.Add", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(AddKernel))((int)y.Length, a, b, y);
    }

    /// <summary>dst += src, or dst = src when <paramref name="accumulate"/> is false.</summary>
    public static void Accumulate(GpuContext gpu, ArrayView<float> src, ArrayView<float> dst, bool accumulate)
    {
        if (dst.Length == 0) return;
        gpu.Kernel("Elementwise.Accumulate", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(AccumulateKernel))((int)dst.Length, src, dst, accumulate ? 1 : 0);
    }

    /// <summary>dst[i] += value for every element.</summary>
    public static void AddScalar(GpuContext gpu, ArrayView<float> dst, float value)
    {
        if (dst.Length == 0) return;
        gpu.Kernel("Elementwise.AddScalar", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(AddScalarKernel))((int)dst.Length, dst, value);
    }
}
