using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// All dot products between the rows of two row-major matrices, summed over a batch: c[o, i] += sum over n, j of
/// a[n, o, j] * b[n, i, j], a (batch, rowsA = cout, length = hw), b (batch, rowsB = cin, hw), c (cout, cin). This is
/// C += A B^T with a long K, e.g. the weight gradient of a 1x1 convolution straight from NCHW data (gy and x), or a
/// linear layer's forward W x^T at small batch. As a GEMM with op(B) = B^T both operands would be packed, which costs
/// as much as the multiply-adds here (8 GMAC/s measured for the 1x1 weight gradient). Here each 4x4 block of outputs
/// keeps 16 Vector256 accumulators and streams 4 rows of a and 4 rows of b (2 FMAs per load); no packing. The batch
/// runs in order in the outer loop (the accumulators live in a scratch buffer between items), so an item's rows stay
/// in cache while every block uses them. Every output element accumulates its products in the same order (lane j % 8
/// in item-then-position order, tail positions in a scalar, combined in a fixed order) whatever the thread count;
/// threads split the output rows in groups of 4.
/// </summary>
public static unsafe class RowDotProducts
{
    private const int Lanes = 8;

    public static void Accumulate(ReadOnlySpan<float> gy, ReadOnlySpan<float> x, int batch, int cout, int cin, int hw, Span<float> gw)
    {
        if (batch < 1 || cout < 1 || cin < 1 || hw < 1)
            throw new ArgumentException($"RowDotProducts: invalid sizes batch={batch} cout={cout} cin={cin} hw={hw}.");
        if (gy.Length < (long)batch * cout * hw || x.Length < (long)batch * cin * hw || gw.Length < (long)cout * cin)
            throw new ArgumentException($"RowDotProducts: spans of {gy.Length}, {x.Length}, {gw.Length} elements too short for batch={batch} cout={cout} cin={cin} hw={hw}.");
        if (!Vector256.IsHardwareAccelerated)
        {
            AccumulateSimple(gy, x, batch, cout, cin, hw, gw);
            return;
        }
        using var sums = new ItemAccumulator(cout, cin, hw);
        sums.AddBatch(gy, x, batch);
        sums.AddInto(gw);
    }

    /// <summary>
    /// The same sums fed one batch item at a time, for a caller that has the item's rows in cache for another
    /// product (the 1x1 input gradient): <see cref="Add"/> items 0, 1, ... in order, then <see cref="AddInto"/>. Each
    /// item runs exactly the operations <see cref="Accumulate"/> runs for it, in the same order, so the result has the
    /// same bits as <see cref="Accumulate"/> over the whole batch (which runs through this type too: it owns the
    /// per-pair lane accumulators). <see cref="Add"/> is single-threaded; needs Vector256 hardware.
    /// </summary>
    public sealed class ItemAccumulator : IDisposable
    {
        private readonly int _cout, _cin, _hw;
        private float[]? _acc, _tail;

        public ItemAccumulator(int cout, int cin, int hw)
        {
            if (cout < 1 || cin < 1 || hw < 1) throw new ArgumentException($"RowDotProducts.ItemAccumulator: invalid sizes cout={cout} cin={cin} hw={hw}.");
            if (!Vector256.IsHardwareAccelerated) throw new PlatformNotSupportedException("RowDotProducts.ItemAccumulator needs Vector256 hardware; use Accumulate.");
            (_cout, _cin, _hw) = (cout, cin, hw);
            int pairs = cout * cin;
            _acc = ArrayPool<float>.Shared.Rent(pairs * Lanes);
            _tail = ArrayPool<float>.Shared.Rent(pairs);
            Array.Clear(_acc, 0, pairs * Lanes);
            Array.Clear(_tail, 0, pairs);
        }

        /// <summary>Adds one item: gyItem (cout, hw) against xItem (cin, hw).</summary>
        public void Add(ReadOnlySpan<float> gyItem, ReadOnlySpan<float> xItem)
        {
            ObjectDisposedException.ThrowIf(_acc is null, this);
            if (gyItem.Length < (long)_cout * _hw || xItem.Length < (long)_cin * _hw)
                throw new ArgumentException($"RowDotProducts.ItemAccumulator: items of {gyItem.Length} and {xItem.Length} elements, need {_cout}x{_hw} and {_cin}x{_hw}.");
            fixed (float* pg = gyItem, px = xItem, pa = _acc, pt = _tail)
                ItemGroups(pg, px, 0, (_cout + 3) / 4, _cout, _cin, _hw, pa, pt);
        }

        /// <summary>Adds a whole batch, items in order, output rows split over threads in groups of 4 (the same bits).</summary>
        internal void AddBatch(ReadOnlySpan<float> gy, ReadOnlySpan<float> x, int batch)
        {
            ObjectDisposedException.ThrowIf(_acc is null, this);
            fixed (float* pg = gy, px = x, pa = _acc, pt = _tail)
            {
                long work = (long)batch * _cout * _cin * _hw;
                ParallelChunks.For((_cout + 3) / 4, 1, work >= (1 << 18) ? 2 : int.MaxValue, &GroupRange,
                    new ParallelChunks.Args(pg, px, pa, pt, i0: batch, i1: _cout, i2: _cin, i3: _hw));
            }
        }

        /// <summary>c (cout, cin) += the sums so far.</summary>
        public void AddInto(Span<float> c)
        {
            ObjectDisposedException.ThrowIf(_acc is null, this);
            if (c.Length < _cout * _cin) throw new ArgumentException($"RowDotProducts.ItemAccumulator: c has {c.Length} elements, needs {_cout * _cin}.");
            fixed (float* pa = _acc, pt = _tail) AddScratchInto(pa, pt, _cout * _cin, c);
        }

        public void Dispose()
        {
            if (_acc is not null) ArrayPool<float>.Shared.Return(_acc);
            if (_tail is not null) ArrayPool<float>.Shared.Return(_tail);
            _acc = _tail = null;
        }
    }

    private static void GroupRange(in ParallelChunks.Args a, int g0, int g1)
    {
        int batch = a.I0, cout = a.I1, cin = a.I2, hw = a.I3;
        for (int n = 0; n < batch; n++)
            ItemGroups(a.P0 + (long)n * cout * hw, a.P1 + (long)n * cin * hw, g0, g1, cout, cin, hw, a.P2, a.P3);
    }

    /// <summary>c[p] += lanes of acc combined ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)), then + tail[p].</summary>
    private static void AddScratchInto(float* acc, float* tail, int pairs, Span<float> c)
    {
        for (int p = 0; p < pairs; p++)
        {
            float* l = acc + (long)p * Lanes;
            float s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
            c[p] += s + tail[p];
        }
    }

    private static void ItemGroups(float* gyn, float* xn, int g0, int g1, int cout, int cin, int hw, float* acc, float* tail)
    {
        int vecEnd = hw - hw % Lanes;
        for (int g = g0; g < g1; g++)
        {
            int o0 = 4 * g;
            if (o0 + 4 <= cout)
            {
                int i = 0;
                for (; i + 4 <= cin; i += 4) Block4x4(gyn + (long)o0 * hw, xn + (long)i * hw, hw, vecEnd, acc, tail, o0, i, cin);
                for (; i < cin; i++)
                    for (int o = o0; o < o0 + 4; o++) Pair(gyn + (long)o * hw, xn + (long)i * hw, hw, vecEnd, acc, tail, o * cin + i);
            }
            else
            {
                for (int o = o0; o < cout; o++)
                    for (int i = 0; i < cin; i++) Pair(gyn + (long)o * hw, xn + (long)i * hw, hw, vecEnd, acc, tail, o * cin + i);
            }
        }
    }

    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    private static float FmaddScalar(float a, float b, float c) => Fma.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    private static void Pair(float* g, float* x, int hw, int vecEnd, float* acc, float* tail, int p)
    {
        var s = Vector256.Load(acc + p * Lanes);
        for (int j = 0; j < vecEnd; j += Lanes) s = Fmadd(Vector256.Load(g + j), Vector256.Load(x + j), s);
        Vector256.Store(s, acc + p * Lanes);
        float t = tail[p];
        for (int j = vecEnd; j < hw; j++) t = FmaddScalar(g[j], x[j], t);
        tail[p] = t;
    }

    private static void Block4x4(float* g, float* x, int hw, int vecEnd, float* acc, float* tail, int o0, int i0, int cin)
    {
        float* a0 = acc + (o0 * cin + i0) * Lanes, a1 = a0 + cin * Lanes, a2 = a1 + cin * Lanes, a3 = a2 + cin * Lanes;
        Vector256<float> c00 = Vector256.Load(a0), c01 = Vector256.Load(a0 + 8), c02 = Vector256.Load(a0 + 16), c03 = Vector256.Load(a0 + 24);
        Vector256<float> c10 = Vector256.Load(a1), c11 = Vector256.Load(a1 + 8), c12 = Vector256.Load(a1 + 16), c13 = Vector256.Load(a1 + 24);
        Vector256<float> c20 = Vector256.Load(a2), c21 = Vector256.Load(a2 + 8), c22 = Vector256.Load(a2 + 16), c23 = Vector256.Load(a2 + 24);
        Vector256<float> c30 = Vector256.Load(a3), c31 = Vector256.Load(a3 + 8), c32 = Vector256.Load(a3 + 16), c33 = Vector256.Load(a3 + 24);
        float* g0 = g, g1 = g + hw, g2 = g + 2 * hw, g3 = g + 3 * hw;
        float* x0 = x, x1 = x + hw, x2 = x + 2 * hw, x3 = x + 3 * hw;
        for (int j = 0; j < vecEnd; j += Lanes)
        {
            var vx0 = Vector256.Load(x0 + j); var vx1 = Vector256.Load(x1 + j);
            var vx2 = Vector256.Load(x2 + j); var vx3 = Vector256.Load(x3 + j);
            var v = Vector256.Load(g0 + j);
            c00 = Fmadd(v, vx0, c00); c01 = Fmadd(v, vx1, c01); c02 = Fmadd(v, vx2, c02); c03 = Fmadd(v, vx3, c03);
            v = Vector256.Load(g1 + j);
            c10 = Fmadd(v, vx0, c10); c11 = Fmadd(v, vx1, c11); c12 = Fmadd(v, vx2, c12); c13 = Fmadd(v, vx3, c13);
            v = Vector256.Load(g2 + j);
            c20 = Fmadd(v, vx0, c20); c21 = Fmadd(v, vx1, c21); c22 = Fmadd(v, vx2, c22); c23 = Fmadd(v, vx3, c23);
            v = Vector256.Load(g3 + j);
            c30 = Fmadd(v, vx0, c30); c31 = Fmadd(v, vx1, c31); c32 = Fmadd(v, vx2, c32); c33 = Fmadd(v, vx3, c33);
        }
        Vector256.Store(c00, a0); Vector256.Store(c01, a0 + 8); Vector256.Store(c02, a0 + 16); Vector256.Store(c03, a0 + 24);
        Vector256.Store(c10, a1); Vector256.Store(c11, a1 + 8); Vector256.Store(c12, a1 + 16); Vector256.Store(c13, a1 + 24);
        Vector256.Store(c20, a2); Vector256.Store(c21, a2 + 8); Vector256.Store(c22, a2 + 16); Vector256.Store(c23, a2 + 24);
        Vector256.Store(c30, a3); Vector256.Store(c31, a3 + 8); Vector256.Store(c32, a3 + 16); Vector256.Store(c33, a3 + 24);
        if (vecEnd == hw) return;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
            {
                float* gr = g + r * hw, xc = x + c * hw;
                int p = (o0 + r) * cin + i0 + c;
                float t = tail[p];
                for (int j = vecEnd; j < hw; j++) t = FmaddScalar(gr[j], xc[j], t);
                tail[p] = t;
            }
    }

    /// <summary>Reference: plain loops, float64 sums.</summary>
    internal static void AccumulateSimple(ReadOnlySpan<float> gy, ReadOnlySpan<float> x, int batch, int cout, int cin, int hw, Span<float> gw)
    {
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
            {
                double s = 0;
                for (int n = 0; n < batch; n++)
                    for (int j = 0; j < hw; j++) s += (double)gy[(n * cout + o) * hw + j] * x[(n * cin + i) * hw + j];
                gw[o * cin + i] += (float)s;
            }
    }
}
