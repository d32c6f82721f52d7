namespace AecOfa.Engine.Kernels;

/// <summary>Routing of <see cref="Gemm.Sgemm"/>: kernel path, packed or direct, thread split.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Below this many multiply-adds (about 10-25 us on one core) one thread finishes before a split pays off.
    /// Was 4 M when pool workers blocked between regions (a futex wake-up each); since they spin for 1 ms, a hot
    /// worker starts in about a microsecond and 1 M MACs split well (smallest reference subnet, 2 threads:
    /// 284-402 -> 419-435 samples/s together with the element-wise threshold 256 K -> 64 K).
    /// </summary>
    internal const long ParallelMinMacs = 1L << 20;

    /// <summary>
    /// Sgemm with the choices forced (tests and benchmarks): kernel path (Auto = best available), route
    /// (Auto = by shape) and thread cap. Throws PlatformNotSupportedException for a path the machine lacks and
    /// ArgumentException for a direct route the shape cannot take (op(B) = B^T, or the scalar path).
    /// </summary>
    internal static unsafe void SgemmWith(GemmKernelPath path, GemmRoute route, int maxThreads,
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
        => SgemmWith(path, route, GemmSwap.Auto, maxThreads, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <summary>As above, also forcing whether the packed route computes C^T = op(B)^T op(A)^T.</summary>
    internal static unsafe void SgemmWith(GemmKernelPath path, GemmRoute route, GemmSwap swapRule, int maxThreads,
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
            bool swap = swapRule switch
            {
                GemmSwap.Never => false,
                GemmSwap.Always => !direct,
                _ => !direct && PreferSwap(cfg, m, n),
            };
            var body = new GemmRangeBody(cfg, direct, swap, transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate,
                maxThreads, out int count);
            if (count == 1) body.Invoke(0, 1);
            else WorkerPool.For(count, ref body, maxThreads);
        }
    }

    /// <summary>
    /// Swap (compute C^T) when that fills the MR x NR tiles much better: a C with few columns and many rows,
    /// such as n = 8 against NR = 32. Tile fill = (m / m rounded up to MR) * (n / n rounded up to NR).
    /// </summary>
    internal static bool PreferSwap(in GemmKernelConfig cfg, int m, int n)
    {
        double fill = Fill(m, cfg.MR) * Fill(n, cfg.NR);
        double swappedFill = Fill(n, cfg.MR) * Fill(m, cfg.NR);
        return swappedFill > 1.25 * fill; // the transposed tile store costs something: demand a clear gain
    }

    private static double Fill(int size, int tile) => size / (double)((size + tile - 1) / tile * tile);

    private static bool CanDirect(in GemmKernelConfig cfg, bool transB) => !transB && cfg.Path != GemmKernelPath.Scalar;

    /// <summary>
    /// Direct (no-pack) when packing would cost about as much as the multiply, or buys nothing: very few rows
    /// (each packed B element would be used only m times), or a B small enough to stay in L2 (k * n floats up to
    /// 256 KB) with whole 8-lane column blocks (the direct path's scalar tail columns are slow). Measured on the
    /// machine of benchmarks/RESULTS.md: direct 85-110 GFLOP/s vs packed 30-80 on such shapes, equal at 256-cubed.
    /// </summary>
    internal static bool PreferDirect(in GemmKernelConfig cfg, int m, int n, int k)
        => n >= 16 && (m <= 16 || (n % 8 == 0 && (long)k * n <= 64 * 1024));
}
