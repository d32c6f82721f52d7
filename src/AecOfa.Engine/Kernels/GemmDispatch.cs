namespace AecOfa.Engine.Kernels;

/// <summary>Routing of <see cref="Gemm.Sgemm"/>: kernel path, packed or direct, thread split.</summary>
public static partial class Gemm
{
    /// <summary>Below this many multiply-adds one thread finishes before a pool wake-up pays off.</summary>
    internal const long ParallelMinMacs = 1L << 19;

    /// <summary>
    /// Sgemm with the choices forced (tests and benchmarks): kernel path (Auto = best available), route
    /// (Auto = by shape) and thread cap. Throws PlatformNotSupportedException for a path the machine lacks and
    /// ArgumentException for a direct route the shape cannot take (op(B) = B^T, or the scalar path).
    /// </summary>
    internal static unsafe void SgemmWith(GemmKernelPath path, GemmRoute route, int maxThreads,
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        var cfg = GemmKernelConfig.For(path);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        bool direct = route switch
        {
            GemmRoute.Direct => CanDirect(cfg, transB)
                ? true
                : throw new ArgumentException($"Sgemm: the direct route needs op(B) = B and a vector path (transB={transB}, path={cfg.Path})."),
            GemmRoute.Packed => false,
            _ => CanDirect(cfg, transB) && PreferDirect(cfg, m, n, k),
        };
        fixed (float* pa = a, pb = b, pc = c)
        {
            var body = new GemmRangeBody(cfg, direct, transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate,
                maxThreads, out int count);
            if (count == 1) body.Invoke(0, 1);
            else WorkerPool.For(count, ref body, maxThreads);
        }
    }

    private static bool CanDirect(in GemmKernelConfig cfg, bool transB) => !transB && cfg.Path != GemmKernelPath.Scalar;

    /// <summary>
    /// Direct (no-pack) when packing would cost about as much as the multiply: very few rows (each packed B
    /// element is used only m times, and a 6-row panel would be mostly padding) or a tiny problem overall.
    /// </summary>
    internal static bool PreferDirect(in GemmKernelConfig cfg, int m, int n, int k)
        => m <= 4 || (long)m * n * k <= 24 * 24 * 24;
}
