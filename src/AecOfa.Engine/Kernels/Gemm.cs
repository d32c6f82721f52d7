namespace AecOfa.Engine.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major spans:
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulating).
/// op(A) = A (stored m x k, row stride lda) or A^T (stored k x m, row stride lda); likewise for B.
/// This is the one entry point every op uses; the fast paths live behind it:
/// packed BLIS-style blocking with a register-blocked FMA micro-kernel (Vector512 8x32, else Vector256 6x16,
/// else scalar 4x8), computing C^T instead when C is short and wide, or a no-pack path for small and skinny shapes;
/// all chosen from the shape alone.
/// Threads: runs on <see cref="WorkerPool"/> (up to <see cref="WorkerPool.MaxThreads"/>), splitting M or N, never K.
/// Every C element gets the same operations in the same order whatever the thread count, so results are bitwise
/// identical for 1, 2 or more threads (on the same machine and kernel path).
/// </summary>
public static partial class Gemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
        => SgemmWith(GemmKernelPath.Auto, GemmRoute.Auto, WorkerPool.MaxThreads,
            transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Sgemm: negative size m={m} n={n} k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < Math.Max(1, aCols) || ldb < Math.Max(1, bCols) || ldc < Math.Max(1, n))
            throw new ArgumentException($"Sgemm: leading dimensions lda={lda} ldb={ldb} ldc={ldc} too small for m={m} n={n} k={k}.");
        if (aRows > 0 && aCols > 0 && a.Length < (long)(aRows - 1) * lda + aCols) throw new ArgumentException("Sgemm: A is too short.");
        if (bRows > 0 && bCols > 0 && b.Length < (long)(bRows - 1) * ldb + bCols) throw new ArgumentException("Sgemm: B is too short.");
        if (m > 0 && n > 0 && c.Length < (long)(m - 1) * ldc + n) throw new ArgumentException("Sgemm: C is too short.");
    }

    /// <summary>Straightforward loop version (i-p-j order so the inner loop streams rows); the correctness baseline.</summary>
    internal static void SgemmSimple(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var crow = c.Slice(i * ldc, n);
            if (!accumulate) crow.Clear();
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * lda + i] : a[i * lda + p];
                if (av == 0f) continue;
                if (!transB)
                {
                    var brow = b.Slice(p * ldb, n);
                    for (int j = 0; j < n; j++) crow[j] += av * brow[j];
                }
                else
                {
                    for (int j = 0; j < n; j++) crow[j] += av * b[j * ldb + p];
                }
            }
        }
    }
}
