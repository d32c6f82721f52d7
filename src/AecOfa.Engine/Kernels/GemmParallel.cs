namespace AecOfa.Engine.Kernels;

/// <summary>
/// One SGEMM split into independent sub-problems along M (blocks of rows) or N (blocks of columns), never K:
/// each range computes whole C elements with the full-depth arithmetic, so the split cannot change a bit.
/// Splitting N repeats the packing of A in every thread (m*k each); splitting M repeats the packing of B (k*n):
/// the axis is chosen to repeat the smaller one, unless it has too few blocks to feed every thread.
/// </summary>
internal readonly unsafe struct GemmRangeBody : IRangeBody
{
    private readonly GemmKernelConfig _cfg;
    private readonly bool _direct, _swap, _transA, _transB, _accumulate, _splitN;
    private readonly int _m, _n, _k, _unit;
    private readonly float* _a, _b, _c;
    private readonly nint _lda, _ldb, _ldc;

    /// <param name="cfg">Blocking of the packed kernels.</param>
    /// <param name="direct">Direct (unpacked) small-product kernels instead of the packed ones.</param>
    /// <param name="swap">The packed kernels compute C^T = op(B)^T op(A)^T (chosen when that fills the register tiles better, e.g. few columns in C).</param>
    /// <param name="transA">op(A) = A^T.</param>
    /// <param name="transB">op(B) = B^T.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">A, row-major with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="c">C, row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="accumulate">Add into C instead of overwriting it.</param>
    /// <param name="maxThreads">Most threads the split is sized for.</param>
    /// <param name="count">How many blocks the chosen axis has (1 when the problem is too small to split).</param>
    public GemmRangeBody(in GemmKernelConfig cfg, bool direct, bool swap, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, int maxThreads, out int count)
    {
        _cfg = cfg; _direct = direct; _swap = swap; _transA = transA; _transB = transB; _accumulate = accumulate;
        _m = m; _n = n; _k = k; _a = a; _b = b; _c = c; _lda = lda; _ldb = ldb; _ldc = ldc;

        int unitM = direct ? 4 : swap ? cfg.NR : cfg.MR;
        int unitN = direct ? (cfg.Path == GemmKernelPath.Vector512 ? 32 : 16) : swap ? cfg.MR : cfg.NR;
        int blocksM = (m + unitM - 1) / unitM, blocksN = (n + unitN - 1) / unitN;
        int threads = (long)m * n * k >= Gemm.ParallelMinMacs ? Math.Max(1, maxThreads) : 1;
        _splitN = (n >= m && blocksN >= threads) || (blocksM < threads && blocksN > blocksM);
        count = threads == 1 ? 1 : (_splitN ? blocksN : blocksM);
        // One range covers everything when not split; otherwise a block index maps to unit rows or columns.
        _unit = count == 1 ? Math.Max(m, n) : (_splitN ? unitN : unitM);
    }

    public void Invoke(int begin, int end)
    {
        int total = _splitN ? _n : _m;
        int lo = begin * _unit, hi = (int)Math.Min((long)end * _unit, total);
        int m = _splitN ? _m : hi - lo, n = _splitN ? hi - lo : _n;
        if (m <= 0 || n <= 0) return;
        float* a = _a, b = _b, c = _c;
        if (_splitN)
        {
            b += _transB ? lo * _ldb : lo; // columns lo.. of op(B)
            c += lo;
        }
        else
        {
            a += _transA ? lo : lo * _lda; // rows lo.. of op(A)
            c += lo * _ldc;
        }
        if (_direct)
        {
            nint ars = _transA ? 1 : _lda, acs = _transA ? _lda : 1;
            GemmDirect.Run(_cfg.Path, m, n, _k, a, ars, acs, b, _ldb, c, _ldc, _accumulate);
        }
        else
        {
            GemmPacked.Run(_cfg, _transA, _transB, m, n, _k, a, _lda, b, _ldb, c, _ldc, _accumulate, _swap);
        }
    }
}
