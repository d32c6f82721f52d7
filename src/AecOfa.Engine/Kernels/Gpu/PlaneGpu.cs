using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Per-plane kernels over (N*C planes, HW positions): global average pooling and the squeeze-excitation channel scale,
/// forward and backward. One thread per plane sums its positions in order: deterministic (planes are small here).
/// </summary>
internal static class PlaneGpu
{
    [GpuKernel]
    private static void MeansKernel(Index1D p, ArrayView<float> x, ArrayView<float> y, int hw)
    {
        float s = 0f;
        for (int j = 0; j < hw; j++) s += x[p * hw + j];
        y[p] = s / hw;
    }

    /// <summary>gx[p, j] (+)= gy[p] / hw.</summary>
    [GpuKernel]
    private static void MeansBackwardKernel(Index1D i, ArrayView<float> gy, ArrayView<float> gx, int hw, int accumulate)
    {
        float g = gy[i / hw] / hw;
        gx[i] = accumulate != 0 ? gx[i] + g : g;
    }

    [GpuKernel]
    private static void ScaleKernel(Index1D i, ArrayView<float> x, ArrayView<float> s, ArrayView<float> y, int hw) => y[i] = x[i] * s[i / hw];

    /// <summary>gx (+)= gy * s[plane].</summary>
    [GpuKernel]
    private static void ScaleInputGradientKernel(Index1D i, ArrayView<float> gy, ArrayView<float> s, ArrayView<float> gx, int hw, int accumulate)
    {
        float g = gy[i] * s[i / hw];
        gx[i] = accumulate != 0 ? gx[i] + g : g;
    }

    /// <summary>gs[p] += sum over the plane of gy * x.</summary>
    [GpuKernel]
    private static void ScaleFactorGradientKernel(Index1D p, ArrayView<float> gy, ArrayView<float> x, ArrayView<float> gs, int hw)
    {
        float s = 0f;
        for (int j = 0; j < hw; j++) s += gy[p * hw + j] * x[p * hw + j];
        gs[p] += s;
    }

    public static void Means(GpuContext gpu, ArrayView<float> x, ArrayView<float> y, int hw)
        => gpu.Kernel("Plane.Means", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(MeansKernel))((int)y.Length, x, y, hw);

    public static void MeansBackward(GpuContext gpu, ArrayView<float> gy, ArrayView<float> gx, int hw, bool accumulate)
        => gpu.Kernel("Plane.MeansBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(MeansBackwardKernel))((int)gx.Length, gy, gx, hw, accumulate ? 1 : 0);

    public static void Scale(GpuContext gpu, ArrayView<float> x, ArrayView<float> s, ArrayView<float> y, int hw)
        => gpu.Kernel("Plane.Scale", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ScaleKernel))((int)y.Length, x, s, y, hw);

    public static void ScaleInputGradient(GpuContext gpu, ArrayView<float> gy, ArrayView<float> s, ArrayView<float> gx, int hw, bool accumulate)
        => gpu.Kernel("Plane.ScaleInputGradient", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ScaleInputGradientKernel))(
            (int)gx.Length, gy, s, gx, hw, accumulate ? 1 : 0);

    public static void ScaleFactorGradient(GpuContext gpu, ArrayView<float> gy, ArrayView<float> x, ArrayView<float> gs, int hw)
        => gpu.Kernel("Plane.ScaleFactorGradient", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ScaleFactorGradientKernel))(
            (int)gs.Length, gy, x, gs, hw);
}
