using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Where a window (a prefix slice along an axis, a centered crop of the last two axes) lies in its source, as a kernel
/// argument: the result is rows of <see cref="Run"/> contiguous values; row o starts at
/// (o / RowsPerPlane) * PlaneStride + (o % RowsPerPlane) * RowStride + Offset in the source.
/// </summary>
internal struct WindowShape
{
    public int Run, RowsPerPlane, PlaneStride, RowStride, Offset;

    public readonly int SourceIndex(int i)
    {
        int o = i / Run;
        return o / RowsPerPlane * PlaneStride + o % RowsPerPlane * RowStride + Offset + i % Run;
    }
}

/// <summary>
/// Copies of windows of a tensor on the device (the elastic layers' weight slices and kernel crops) and the scatter-add
/// of their gradient back into the full-size gradient. Windows never overlap themselves: one thread per element, no atomics.
/// </summary>
internal static class WindowGpu
{
    [GpuKernel]
    private static void GatherKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, WindowShape s) => y[i] = x[s.SourceIndex(i)];

    [GpuKernel]
    private static void ScatterAddKernel(Index1D i, ArrayView<float> gy, ArrayView<float> gx, WindowShape s) => gx[s.SourceIndex(i)] += gy[i];

    /// <summary>y = the window of x (y has the window's length).</summary>
    public static void Gather(GpuContext gpu, ArrayView<float> x, ArrayView<float> y, WindowShape s)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Window.Gather", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(GatherKernel))((int)y.Length, x, y, s);
    }

    /// <summary>The window of gx += gy.</summary>
    public static void ScatterAdd(GpuContext gpu, ArrayView<float> gy, ArrayView<float> gx, WindowShape s)
    {
        if (gy.Length == 0) return;
        gpu.Kernel("Window.ScatterAdd", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowShape>(ScatterAddKernel))((int)gy.Length, gy, gx, s);
    }
}
