using System.Numerics.Tensors;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Element-wise add and copy split over threads in fixed chunks (residual Add forward and backward). Each element is
/// computed on its own (a[i] + b[i], or a copy), so results never depend on the split; each chunk runs
/// TensorPrimitives, which is also the single-thread reference.
/// </summary>
internal static unsafe class ElementwiseKernels
{
    private const int Grain = 16384;

    /// <summary>y = a + b (y may alias a or b).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        if (a.Length != b.Length || y.Length < a.Length)
            throw new ArgumentException($"ElementwiseKernels.Add: lengths a={a.Length}, b={b.Length}, y={y.Length}; expected a == b <= y.");
        fixed (float* pa = a, pb = b, py = y)
            ParallelChunks.For(a.Length, Grain, ParallelChunks.MinParallelElements, &AddRange, new(pa, pb, py));
    }

    /// <summary>dst = src.</summary>
    public static void Copy(ReadOnlySpan<float> src, Span<float> dst)
    {
        if (dst.Length < src.Length)
            throw new ArgumentException($"ElementwiseKernels.Copy: dst has {dst.Length} elements, expected at least {src.Length}.");
        fixed (float* ps = src, pd = dst)
            ParallelChunks.For(src.Length, Grain, ParallelChunks.MinParallelElements, &CopyRange, new(ps, pd));
    }

    private static void AddRange(in ParallelChunks.Args a, int lo, int hi)
        => TensorPrimitives.Add(new ReadOnlySpan<float>(a.P0 + lo, hi - lo), new ReadOnlySpan<float>(a.P1 + lo, hi - lo), new Span<float>(a.P2 + lo, hi - lo));

    private static void CopyRange(in ParallelChunks.Args a, int lo, int hi)
        => new ReadOnlySpan<float>(a.P0 + lo, hi - lo).CopyTo(new Span<float>(a.P1 + lo, hi - lo));
}
