using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Element-wise device kernels: fill, sum and product of two tensors, accumulate-or-write of a gradient, per-channel
/// bias, the mean of a tensor and scalar sums (loss weighting) that never leave the device.
/// </summary>
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

    [GpuKernel]
    private static void MulKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] * b[i];

    /// <summary>dst += g * b.</summary>
    [GpuKernel]
    private static void MulAddKernel(Index1D i, ArrayView<float> g, ArrayView<float> b, ArrayView<float> dst) => dst[i] += g[i] * b[i];

    /// <summary>dst[i] += scale * source[0]: a scalar's gradient spread over a tensor, or a weighted sum of scalars.</summary>
    [GpuKernel]
    private static void AddScaledFirstKernel(Index1D i, ArrayView<float> source, ArrayView<float> dst, float scale) => dst[i] += scale * source[0];

    /// <summary>One group: y[0] = sum of x / count (tree sum: deterministic).</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void MeanKernel(ArrayView<float> x, ArrayView<float> y, int count)
    {
        float s = 0f;
        for (int i = Group.IdxX; i < count; i += Group.DimX) s += x[i];
        float total = GroupReduction.Sum(s);
        if (Group.IdxX == 0) y[0] = total / count;
    }

    /// <summary>One group: y[0] = sum of x^2 (float64 tree: the global gradient norm of clipping).</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void SumOfSquaresKernel(ArrayView<float> x, ArrayView<float> y, int count)
    {
        double s = 0;
        for (int i = Group.IdxX; i < count; i += Group.DimX) s += (double)x[i] * x[i];
        double total = GroupReduction.Sum(s);
        if (Group.IdxX == 0) y[0] = (float)total;
    }

    [GpuKernel]
    private static void ScaleKernel(Index1D i, ArrayView<float> x, float factor) => x[i] *= factor;

    public static void SumOfSquares(GpuContext gpu, ArrayView<float> x, ArrayView<float> y)
        => gpu.Kernel("Elementwise.SumOfSquares", acc => acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(SumOfSquaresKernel))(
            new KernelConfig(1, gpu.ReductionGroupSize), x, y, (int)x.Length);

    /// <summary>x *= factor in place.</summary>
    public static void Scale(GpuContext gpu, ArrayView<float> x, float factor)
    {
        if (x.Length == 0) return;
        gpu.Kernel("Elementwise.Scale", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ScaleKernel))((int)x.Length, x, factor);
    }

    public static void Mul(GpuContext gpu, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Elementwise.Mul", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(MulKernel))((int)y.Length, a, b, y);
    }

    public static void MulAdd(GpuContext gpu, ArrayView<float> g, ArrayView<float> b, ArrayView<float> dst)
    {
        if (dst.Length == 0) return;
        gpu.Kernel("Elementwise.MulAdd", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(MulAddKernel))((int)dst.Length, g, b, dst);
    }

    public static void AddScaledFirst(GpuContext gpu, ArrayView<float> source, ArrayView<float> dst, float scale)
    {
        if (dst.Length == 0) return;
        gpu.Kernel("Elementwise.AddScaledFirst", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(AddScaledFirstKernel))((int)dst.Length, source, dst, scale);
    }

    public static void Mean(GpuContext gpu, ArrayView<float> x, ArrayView<float> y)
        => gpu.Kernel("Elementwise.Mean", acc => acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(MeanKernel))(
            new KernelConfig(1, gpu.ReductionGroupSize), x, y, (int)x.Length);

    /// <summary>Clamps to [-limit, limit] (NaN stays NaN, as Math.Clamp).</summary>
    [GpuKernel]
    private static void ClampKernel(Index1D i, ArrayView<float> x, float limit)
    {
        float v = x[i];
        x[i] = v < -limit ? -limit : v > limit ? limit : v;
    }

    public static void Clamp(GpuContext gpu, ArrayView<float> x, float limit)
    {
        if (x.Length == 0) return;
        gpu.Kernel("Elementwise.Clamp", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ClampKernel))((int)x.Length, x, limit);
    }

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
