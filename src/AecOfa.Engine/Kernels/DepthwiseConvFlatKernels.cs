using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// The two inner loops every depthwise path reduces to, over "flat" planes: a zero-padded image stored with a row
/// stride, where output position o = row * stride + col and tap t reads src[o + off[t]]. Columns past the real
/// output width are computed as garbage (or multiply zeros) instead of being branched around, so the loops have no
/// bounds checks and narrow planes still fill whole vectors (several rows per vector).
/// Callers size the buffers so every read stays inside them (see the layout types).
/// </summary>
internal static class DepthwiseConvFlatKernels
{
    /// <summary>
    /// dst[o] = sum_t w[t] * src[o + off[t]] for o in [0, length rounded up to the vector width). Every element is one
    /// FMA chain in tap order starting from 0, so all ISA paths give bitwise identical results.
    /// </summary>
    internal static void Correlate(DepthwiseConvIsa isa, ReadOnlySpan<float> src, Span<float> dst, int length,
        ReadOnlySpan<int> off, ReadOnlySpan<float> w)
    {
        switch (isa)
        {
            case DepthwiseConvIsa.Vector512: CorrelateV512(src, dst, (length + 15) / 16, off, w); break;
            case DepthwiseConvIsa.Vector256: CorrelateV256(src, dst, (length + 7) / 8, off, w); break;
            default: CorrelateScalar(src, dst, length, off, w); break;
        }
    }

    /// <summary>
    /// acc[t] += sum_o gy[o] * x[o + off[t]] over o in [0, length rounded up to the vector width), as per-lane
    /// partial sums: acc holds, per tap, <see cref="AccSlots"/> vectors of the widest width (AccStride floats).
    /// gy must be zero wherever o is not a real output. The order of additions depends only on the plane shape.
    /// </summary>
    internal static void AccumulateTaps(DepthwiseConvIsa isa, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int length,
        ReadOnlySpan<int> off, Span<float> acc)
    {
        switch (isa)
        {
            case DepthwiseConvIsa.Vector512: AccumulateTapsV512(x, gy, (length + 15) / 16, off, acc); break;
            case DepthwiseConvIsa.Vector256: AccumulateTapsV256(x, gy, (length + 7) / 8, off, acc); break;
            default: AccumulateTapsScalar(x, gy, length, off, acc); break;
        }
    }

    internal const int AccSlots = 4;
    internal const int AccStride = AccSlots * 16;

    /// <summary>Reduces one tap's partial sums (all slots, all lanes) in a fixed order.</summary>
    internal static float ReduceTap(ReadOnlySpan<float> acc, int tap)
    {
        var a = acc.Slice(tap * AccStride, AccStride);
        var v = (Vector512.Create(a) + Vector512.Create(a.Slice(16))) + (Vector512.Create(a.Slice(32)) + Vector512.Create(a.Slice(48)));
        return Vector512.Sum(v);
    }

    /// <summary>
    /// Paired weight-gradient taps: taps a and b = a + one row (off[b] = off[a] + RowStride) read the same x vector,
    /// since sum_o gy[o] x[o + off_a + R] = sum_o gy[o - R] x[o + off_a]. gyShifted is gy with R zeros in front (and zeros after it), so
    /// gyShifted[o] = gy[o - R] and gyShifted[o + R] = gy[o]. For each pair p: acc[accA[p]] += gy * x(off[p]) and
    /// acc[accB[p]] += gy(one row up) * x(off[p]), four pairs (8 accumulators) at a time: 6 loads per 8 FMAs
    /// instead of 9. Vector512 only (the other paths use <see cref="AccumulateTaps"/> for every tap).
    /// </summary>
    internal static void AccumulateTapPairsV512(ReadOnlySpan<float> x, ReadOnlySpan<float> gyShifted, int rowStride, int length,
        ReadOnlySpan<int> off, ReadOnlySpan<int> accA, ReadOnlySpan<int> accB, Span<float> acc)
        => AccumulateTapPairsV512(x, gyShifted, rowStride, rowStride, length, off, accA, accB, acc);

    /// <summary>
    /// As above with tap b = tap a + <paramref name="shift"/> (a row: shift = RowStride; the next column: shift = 1);
    /// gyPadded holds <paramref name="front"/> &gt;= shift zeros before gy.
    /// </summary>
    internal static void AccumulateTapPairsV512(ReadOnlySpan<float> x, ReadOnlySpan<float> gyPadded, int front, int shift, int length,
        ReadOnlySpan<int> off, ReadOnlySpan<int> accA, ReadOnlySpan<int> accB, Span<float> acc)
    {
        ReadOnlySpan<float> gyShifted = gyPadded.Slice(front - shift);
        int rowStride = shift;
        // The shifted terms run past the outputs by the shift (the last outputs feed them).
        int vectors = (length + rowStride + 15) / 16;
        int maxOff = 0;
        foreach (int o in off) maxOff = Math.Max(maxOff, o);
        if (x.Length < maxOff + vectors * 16 || gyShifted.Length < rowStride + vectors * 16)
            throw new ArgumentException("AccumulateTapPairsV512: buffers too short for the layout.");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float g = ref MemoryMarshal.GetReference(gyShifted);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        nuint rs = (nuint)rowStride;
        int pairs = off.Length, p = 0;
        for (; p < pairs; p += 4)
        {
            int n = Math.Min(4, pairs - p);
            // Unused lanes of a short group repeat the last pair and are not stored.
            nuint o0 = (nuint)off[p], o1 = (nuint)off[p + Math.Min(1, n - 1)], o2 = (nuint)off[p + Math.Min(2, n - 1)], o3 = (nuint)off[p + Math.Min(3, n - 1)];
            var a0 = Vector512.LoadUnsafe(ref ar, (nuint)(accA[p] * AccStride)); var b0 = Vector512.LoadUnsafe(ref ar, (nuint)(accB[p] * AccStride));
            Vector512<float> a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            if (n > 1) { a1 = Vector512.LoadUnsafe(ref ar, (nuint)(accA[p + 1] * AccStride)); b1 = Vector512.LoadUnsafe(ref ar, (nuint)(accB[p + 1] * AccStride)); }
            if (n > 2) { a2 = Vector512.LoadUnsafe(ref ar, (nuint)(accA[p + 2] * AccStride)); b2 = Vector512.LoadUnsafe(ref ar, (nuint)(accB[p + 2] * AccStride)); }
            if (n > 3) { a3 = Vector512.LoadUnsafe(ref ar, (nuint)(accA[p + 3] * AccStride)); b3 = Vector512.LoadUnsafe(ref ar, (nuint)(accB[p + 3] * AccStride)); }
            for (int v = 0; v < vectors; v++)
            {
                nuint o = (nuint)(v * 16);
                var gNow = Vector512.LoadUnsafe(ref g, o + rs); // gy[o]
                var gUp = Vector512.LoadUnsafe(ref g, o);       // gy[o - R]
                var x0 = Vector512.LoadUnsafe(ref xr, o + o0);
                a0 = Vector512.FusedMultiplyAdd(x0, gNow, a0); b0 = Vector512.FusedMultiplyAdd(x0, gUp, b0);
                var x1 = Vector512.LoadUnsafe(ref xr, o + o1);
                a1 = Vector512.FusedMultiplyAdd(x1, gNow, a1); b1 = Vector512.FusedMultiplyAdd(x1, gUp, b1);
                var x2 = Vector512.LoadUnsafe(ref xr, o + o2);
                a2 = Vector512.FusedMultiplyAdd(x2, gNow, a2); b2 = Vector512.FusedMultiplyAdd(x2, gUp, b2);
                var x3 = Vector512.LoadUnsafe(ref xr, o + o3);
                a3 = Vector512.FusedMultiplyAdd(x3, gNow, a3); b3 = Vector512.FusedMultiplyAdd(x3, gUp, b3);
            }
            a0.StoreUnsafe(ref ar, (nuint)(accA[p] * AccStride)); b0.StoreUnsafe(ref ar, (nuint)(accB[p] * AccStride));
            if (n > 1) { a1.StoreUnsafe(ref ar, (nuint)(accA[p + 1] * AccStride)); b1.StoreUnsafe(ref ar, (nuint)(accB[p + 1] * AccStride)); }
            if (n > 2) { a2.StoreUnsafe(ref ar, (nuint)(accA[p + 2] * AccStride)); b2.StoreUnsafe(ref ar, (nuint)(accB[p + 2] * AccStride)); }
            if (n > 3) { a3.StoreUnsafe(ref ar, (nuint)(accA[p + 3] * AccStride)); b3.StoreUnsafe(ref ar, (nuint)(accB[p + 3] * AccStride)); }
        }
    }

    /// <summary>
    /// True when the taps form a full kh x kw grid in ascending offset order: off[t] = off[0] + (t / kw) * rowStride + t % kw
    /// (stride-1 forward, and stride-1 input gradient with its taps sorted by offset).
    /// </summary>
    internal static bool IsGrid(ReadOnlySpan<int> off, int kh, int kw, int rowStride)
    {
        if (off.Length != kh * kw || kh < 2) return false;
        for (int t = 0; t < off.Length; t++)
            if (off[t] != off[0] + t / kw * rowStride + t % kw) return false;
        return true;
    }

    /// <summary>
    /// <see cref="Correlate"/> for grid taps (see <see cref="IsGrid"/>), Vector512, two output rows at a time: the x
    /// vector at grid row r feeds tap row r of the upper output row and tap row r - 1 of the lower one, so most loads
    /// serve two FMAs. Only columns [0, <paramref name="cols"/>) of each row are computed (rounded up to 16): a band's
    /// valid outputs end before its trailing padding, and computing whole 64-column blocks past them measured a third
    /// of the FMAs on 8x13 maps. Blocks are 64 columns, the last one 16, 32 or 48. Same FMA chain per output as
    /// Correlate (taps in offset order from 0), so bitwise identical. dst needs RowStride + 64 slack past
    /// rows * RowStride, src the same past the last tap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its block instantiations are only fast once optimized
    internal static void CorrelateGridRowPairsV512(ReadOnlySpan<float> src, Span<float> dst, int rows, int rowStride, int cols,
        ReadOnlySpan<int> off, ReadOnlySpan<float> w, int kh, int kw)
    {
        if (cols < 1 || cols > rowStride) throw new ArgumentOutOfRangeException(nameof(cols), cols, $"must be in [1, rowStride = {rowStride}].");
        if (dst.Length < (rows + 1) * rowStride + 64 || src.Length < off[^1] + (rows + 1) * rowStride + 64)
            throw new ArgumentException("CorrelateGridRowPairsV512: buffers too short for the layout.");
        int vectors = (cols + 15) / 16, full = vectors / 4, tail = vectors % 4;
        var k = new GridKernel(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(dst), ref MemoryMarshal.GetReference(w),
            (nuint)rowStride, (nuint)off[0], kh, kw);
        int i = 0;
        for (; i + 1 < rows; i += 2)
        {
            // Blocks right to left: a block's overrun past the row end lands on columns a later (lower-index) block
            // of the lower row rewrites, or on the next pair's rows.
            nuint row = (nuint)(i * rowStride), last = row + (nuint)(full * 64);
            switch (tail)
            {
                case 1: RowPairBlock<One>(k, last); break;
                case 2: RowPairBlock<Two>(k, last); break;
                case 3: RowPairBlock<Three>(k, last); break;
            }
            for (int bj = full - 1; bj >= 0; bj--) RowPairBlock<Four>(k, row + (nuint)(bj * 64));
        }
        if (i < rows) // odd row count: the last row alone
            CorrelateV512(src.Slice(i * rowStride), dst.Slice(i * rowStride), vectors, off, w);
    }

    /// <summary>What every block of <see cref="CorrelateGridRowPairsV512"/> reads: the buffers and the grid.</summary>
    private readonly ref struct GridKernel(ref float src, ref float dst, ref float w, nuint rowStride, nuint off0, int kh, int kw)
    {
        public readonly ref float Src = ref src, Dst = ref dst, W = ref w;
        public readonly nuint RowStride = rowStride, Off0 = off0;
        public readonly int Kh = kh, Kw = kw;
    }

    /// <summary>Vectors per block, a constant of each instantiation (the JIT drops the unused accumulators).</summary>
    private interface IBlockVectors { static abstract int Count { get; } }
    private struct One : IBlockVectors { public static int Count => 1; }
    private struct Two : IBlockVectors { public static int Count => 2; }
    private struct Three : IBlockVectors { public static int Count => 3; }
    private struct Four : IBlockVectors { public static int Count => 4; }

    /// <summary>One block of TN.Count vectors at flat output o of the upper row and o + RowStride of the lower one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPairBlock<TN>(in GridKernel k, nuint o) where TN : struct, IBlockVectors
    {
        ref float s = ref k.Src;
        ref float wRef = ref k.W;
        int kh = k.Kh, kw = k.Kw;
        nuint rs = k.RowStride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        nuint p = o + k.Off0;
        for (int v = 0; v < kw; v++) // grid row 0: upper output only
        {
            var wt = Vector512.Create(Unsafe.Add(ref wRef, v));
            nuint q = p + (nuint)v;
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q), wt, a0);
            if (TN.Count > 1) a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 16), wt, a1);
            if (TN.Count > 2) a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 32), wt, a2);
            if (TN.Count > 3) a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 48), wt, a3);
        }
        for (int r = 1; r < kh; r++) // grid rows 1 .. kh-1: both outputs
        {
            nuint pr = p + (nuint)r * rs;
            for (int v = 0; v < kw; v++)
            {
                var wt = Vector512.Create(Unsafe.Add(ref wRef, r * kw + v));
                var wb = Vector512.Create(Unsafe.Add(ref wRef, (r - 1) * kw + v));
                nuint q = pr + (nuint)v;
                var x0 = Vector512.LoadUnsafe(ref s, q);
                a0 = Vector512.FusedMultiplyAdd(x0, wt, a0); b0 = Vector512.FusedMultiplyAdd(x0, wb, b0);
                if (TN.Count > 1) { var x1 = Vector512.LoadUnsafe(ref s, q + 16); a1 = Vector512.FusedMultiplyAdd(x1, wt, a1); b1 = Vector512.FusedMultiplyAdd(x1, wb, b1); }
                if (TN.Count > 2) { var x2 = Vector512.LoadUnsafe(ref s, q + 32); a2 = Vector512.FusedMultiplyAdd(x2, wt, a2); b2 = Vector512.FusedMultiplyAdd(x2, wb, b2); }
                if (TN.Count > 3) { var x3 = Vector512.LoadUnsafe(ref s, q + 48); a3 = Vector512.FusedMultiplyAdd(x3, wt, a3); b3 = Vector512.FusedMultiplyAdd(x3, wb, b3); }
            }
        }
        nuint pk = p + (nuint)kh * rs;
        for (int v = 0; v < kw; v++) // grid row kh: lower output only
        {
            var wb = Vector512.Create(Unsafe.Add(ref wRef, (kh - 1) * kw + v));
            nuint q = pk + (nuint)v;
            b0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q), wb, b0);
            if (TN.Count > 1) b1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 16), wb, b1);
            if (TN.Count > 2) b2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 32), wb, b2);
            if (TN.Count > 3) b3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, q + 48), wb, b3);
        }
        ref float d = ref k.Dst;
        a0.StoreUnsafe(ref d, o); b0.StoreUnsafe(ref d, o + rs);
        if (TN.Count > 1) { a1.StoreUnsafe(ref d, o + 16); b1.StoreUnsafe(ref d, o + rs + 16); }
        if (TN.Count > 2) { a2.StoreUnsafe(ref d, o + 32); b2.StoreUnsafe(ref d, o + rs + 32); }
        if (TN.Count > 3) { a3.StoreUnsafe(ref d, o + 48); b3.StoreUnsafe(ref d, o + rs + 48); }
    }

    private static void CorrelateScalar(ReadOnlySpan<float> src, Span<float> dst, int length, ReadOnlySpan<int> off, ReadOnlySpan<float> w)
    {
        for (int o = 0; o < length; o++)
        {
            float s = 0;
            for (int t = 0; t < off.Length; t++) s = MathF.FusedMultiplyAdd(src[o + off[t]], w[t], s);
            dst[o] = s;
        }
    }

    private static void CorrelateV512(ReadOnlySpan<float> src, Span<float> dst, int vectors, ReadOnlySpan<int> off, ReadOnlySpan<float> w)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        ref int offRef = ref MemoryMarshal.GetReference(off);
        ref float wRef = ref MemoryMarshal.GetReference(w);
        int taps = off.Length;
        int v = 0;
        // 8 independent accumulators cover the FMA latency; the broadcast weight is reused 8 times.
        for (; v + 8 <= vectors; v += 8)
        {
            nuint o = (nuint)(v * 16);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int t = 0; t < taps; t++)
            {
                var wv = Vector512.Create(Unsafe.Add(ref wRef, t));
                nuint p = o + (nuint)Unsafe.Add(ref offRef, t);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 16), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 32), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 48), wv, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 64), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 80), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 96), wv, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 112), wv, a7);
            }
            a0.StoreUnsafe(ref d, o); a1.StoreUnsafe(ref d, o + 16); a2.StoreUnsafe(ref d, o + 32); a3.StoreUnsafe(ref d, o + 48);
            a4.StoreUnsafe(ref d, o + 64); a5.StoreUnsafe(ref d, o + 80); a6.StoreUnsafe(ref d, o + 96); a7.StoreUnsafe(ref d, o + 112);
        }
        for (; v + 4 <= vectors; v += 4)
        {
            nuint o = (nuint)(v * 16);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int t = 0; t < taps; t++)
            {
                var wv = Vector512.Create(Unsafe.Add(ref wRef, t));
                nuint p = o + (nuint)Unsafe.Add(ref offRef, t);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 16), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 32), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 48), wv, a3);
            }
            a0.StoreUnsafe(ref d, o); a1.StoreUnsafe(ref d, o + 16); a2.StoreUnsafe(ref d, o + 32); a3.StoreUnsafe(ref d, o + 48);
        }
        for (; v + 2 <= vectors; v += 2)
        {
            nuint o = (nuint)(v * 16);
            Vector512<float> a0 = default, a1 = default;
            for (int t = 0; t < taps; t++)
            {
                var wv = Vector512.Create(Unsafe.Add(ref wRef, t));
                nuint p = o + (nuint)Unsafe.Add(ref offRef, t);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, p + 16), wv, a1);
            }
            a0.StoreUnsafe(ref d, o); a1.StoreUnsafe(ref d, o + 16);
        }
        if (v < vectors)
        {
            nuint o = (nuint)(v * 16);
            Vector512<float> a0 = default;
            for (int t = 0; t < taps; t++)
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, o + (nuint)Unsafe.Add(ref offRef, t)), Vector512.Create(Unsafe.Add(ref wRef, t)), a0);
            a0.StoreUnsafe(ref d, o);
        }
    }

    private static void CorrelateV256(ReadOnlySpan<float> src, Span<float> dst, int vectors, ReadOnlySpan<int> off, ReadOnlySpan<float> w)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        ref int offRef = ref MemoryMarshal.GetReference(off);
        ref float wRef = ref MemoryMarshal.GetReference(w);
        int taps = off.Length;
        int v = 0;
        for (; v + 8 <= vectors; v += 8)
        {
            nuint o = (nuint)(v * 8);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int t = 0; t < taps; t++)
            {
                var wv = Vector256.Create(Unsafe.Add(ref wRef, t));
                nuint p = o + (nuint)Unsafe.Add(ref offRef, t);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p), wv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 8), wv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 16), wv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 24), wv, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 32), wv, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 40), wv, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 48), wv, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 56), wv, a7);
            }
            a0.StoreUnsafe(ref d, o); a1.StoreUnsafe(ref d, o + 8); a2.StoreUnsafe(ref d, o + 16); a3.StoreUnsafe(ref d, o + 24);
            a4.StoreUnsafe(ref d, o + 32); a5.StoreUnsafe(ref d, o + 40); a6.StoreUnsafe(ref d, o + 48); a7.StoreUnsafe(ref d, o + 56);
        }
        for (; v + 4 <= vectors; v += 4)
        {
            nuint o = (nuint)(v * 8);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int t = 0; t < taps; t++)
            {
                var wv = Vector256.Create(Unsafe.Add(ref wRef, t));
                nuint p = o + (nuint)Unsafe.Add(ref offRef, t);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p), wv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 8), wv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 16), wv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, p + 24), wv, a3);
            }
            a0.StoreUnsafe(ref d, o); a1.StoreUnsafe(ref d, o + 8); a2.StoreUnsafe(ref d, o + 16); a3.StoreUnsafe(ref d, o + 24);
        }
        for (; v < vectors; v++)
        {
            nuint o = (nuint)(v * 8);
            Vector256<float> a0 = default;
            for (int t = 0; t < taps; t++)
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref s, o + (nuint)Unsafe.Add(ref offRef, t)), Vector256.Create(Unsafe.Add(ref wRef, t)), a0);
            a0.StoreUnsafe(ref d, o);
        }
    }

    private static void AccumulateTapsScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int length, ReadOnlySpan<int> off, Span<float> acc)
    {
        for (int t = 0; t < off.Length; t++)
        {
            var xs = x.Slice(off[t], length);
            float s = acc[t * AccStride];
            for (int o = 0; o < length; o++) s = MathF.FusedMultiplyAdd(xs[o], gy[o], s);
            acc[t * AccStride] = s;
        }
    }

    private static void AccumulateTapsV512(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int vectors, ReadOnlySpan<int> off, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float g = ref MemoryMarshal.GetReference(gy);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int taps = off.Length, t = 0;
        // Groups of 8 taps: gy is loaded once per vector and feeds 8 accumulators (one per tap) held in registers.
        for (; t + 8 <= taps; t += 8)
        {
            nuint o0 = (nuint)off[t], o1 = (nuint)off[t + 1], o2 = (nuint)off[t + 2], o3 = (nuint)off[t + 3];
            nuint o4 = (nuint)off[t + 4], o5 = (nuint)off[t + 5], o6 = (nuint)off[t + 6], o7 = (nuint)off[t + 7];
            nuint ab = (nuint)(t * AccStride);
            var a0 = Vector512.LoadUnsafe(ref ar, ab); var a1 = Vector512.LoadUnsafe(ref ar, ab + AccStride);
            var a2 = Vector512.LoadUnsafe(ref ar, ab + 2 * AccStride); var a3 = Vector512.LoadUnsafe(ref ar, ab + 3 * AccStride);
            var a4 = Vector512.LoadUnsafe(ref ar, ab + 4 * AccStride); var a5 = Vector512.LoadUnsafe(ref ar, ab + 5 * AccStride);
            var a6 = Vector512.LoadUnsafe(ref ar, ab + 6 * AccStride); var a7 = Vector512.LoadUnsafe(ref ar, ab + 7 * AccStride);
            for (int v = 0; v < vectors; v++)
            {
                nuint o = (nuint)(v * 16);
                var gv = Vector512.LoadUnsafe(ref g, o);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o0), gv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o1), gv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o2), gv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o3), gv, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o4), gv, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o5), gv, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o6), gv, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + o7), gv, a7);
            }
            a0.StoreUnsafe(ref ar, ab); a1.StoreUnsafe(ref ar, ab + AccStride);
            a2.StoreUnsafe(ref ar, ab + 2 * AccStride); a3.StoreUnsafe(ref ar, ab + 3 * AccStride);
            a4.StoreUnsafe(ref ar, ab + 4 * AccStride); a5.StoreUnsafe(ref ar, ab + 5 * AccStride);
            a6.StoreUnsafe(ref ar, ab + 6 * AccStride); a7.StoreUnsafe(ref ar, ab + 7 * AccStride);
        }
        // Remaining taps one at a time, with 4 accumulators (slots) over consecutive vectors for latency.
        for (; t < taps; t++)
        {
            nuint ot = (nuint)off[t];
            nuint ab = (nuint)(t * AccStride);
            var a0 = Vector512.LoadUnsafe(ref ar, ab); var a1 = Vector512.LoadUnsafe(ref ar, ab + 16);
            var a2 = Vector512.LoadUnsafe(ref ar, ab + 32); var a3 = Vector512.LoadUnsafe(ref ar, ab + 48);
            int v = 0;
            for (; v + 4 <= vectors; v += 4)
            {
                nuint o = (nuint)(v * 16);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + ot), Vector512.LoadUnsafe(ref g, o), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + ot + 16), Vector512.LoadUnsafe(ref g, o + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + ot + 32), Vector512.LoadUnsafe(ref g, o + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + ot + 48), Vector512.LoadUnsafe(ref g, o + 48), a3);
            }
            for (; v < vectors; v++)
            {
                nuint o = (nuint)(v * 16);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, o + ot), Vector512.LoadUnsafe(ref g, o), a0);
            }
            a0.StoreUnsafe(ref ar, ab); a1.StoreUnsafe(ref ar, ab + 16);
            a2.StoreUnsafe(ref ar, ab + 32); a3.StoreUnsafe(ref ar, ab + 48);
        }
    }

    private static void AccumulateTapsV256(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int vectors, ReadOnlySpan<int> off, Span<float> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float g = ref MemoryMarshal.GetReference(gy);
        ref float ar = ref MemoryMarshal.GetReference(acc);
        int taps = off.Length, t = 0;
        for (; t + 8 <= taps; t += 8)
        {
            nuint o0 = (nuint)off[t], o1 = (nuint)off[t + 1], o2 = (nuint)off[t + 2], o3 = (nuint)off[t + 3];
            nuint o4 = (nuint)off[t + 4], o5 = (nuint)off[t + 5], o6 = (nuint)off[t + 6], o7 = (nuint)off[t + 7];
            nuint ab = (nuint)(t * AccStride);
            var a0 = Vector256.LoadUnsafe(ref ar, ab); var a1 = Vector256.LoadUnsafe(ref ar, ab + AccStride);
            var a2 = Vector256.LoadUnsafe(ref ar, ab + 2 * AccStride); var a3 = Vector256.LoadUnsafe(ref ar, ab + 3 * AccStride);
            var a4 = Vector256.LoadUnsafe(ref ar, ab + 4 * AccStride); var a5 = Vector256.LoadUnsafe(ref ar, ab + 5 * AccStride);
            var a6 = Vector256.LoadUnsafe(ref ar, ab + 6 * AccStride); var a7 = Vector256.LoadUnsafe(ref ar, ab + 7 * AccStride);
            for (int v = 0; v < vectors; v++)
            {
                nuint o = (nuint)(v * 8);
                var gv = Vector256.LoadUnsafe(ref g, o);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o0), gv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o1), gv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o2), gv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o3), gv, a3);
                a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o4), gv, a4);
                a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o5), gv, a5);
                a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o6), gv, a6);
                a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + o7), gv, a7);
            }
            a0.StoreUnsafe(ref ar, ab); a1.StoreUnsafe(ref ar, ab + AccStride);
            a2.StoreUnsafe(ref ar, ab + 2 * AccStride); a3.StoreUnsafe(ref ar, ab + 3 * AccStride);
            a4.StoreUnsafe(ref ar, ab + 4 * AccStride); a5.StoreUnsafe(ref ar, ab + 5 * AccStride);
            a6.StoreUnsafe(ref ar, ab + 6 * AccStride); a7.StoreUnsafe(ref ar, ab + 7 * AccStride);
        }
        for (; t < taps; t++)
        {
            nuint ot = (nuint)off[t];
            nuint ab = (nuint)(t * AccStride);
            var a0 = Vector256.LoadUnsafe(ref ar, ab); var a1 = Vector256.LoadUnsafe(ref ar, ab + 8);
            var a2 = Vector256.LoadUnsafe(ref ar, ab + 16); var a3 = Vector256.LoadUnsafe(ref ar, ab + 24);
            int v = 0;
            for (; v + 4 <= vectors; v += 4)
            {
                nuint o = (nuint)(v * 8);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + ot), Vector256.LoadUnsafe(ref g, o), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + ot + 8), Vector256.LoadUnsafe(ref g, o + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + ot + 16), Vector256.LoadUnsafe(ref g, o + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + ot + 24), Vector256.LoadUnsafe(ref g, o + 24), a3);
            }
            for (; v < vectors; v++)
            {
                nuint o = (nuint)(v * 8);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, o + ot), Vector256.LoadUnsafe(ref g, o), a0);
            }
            a0.StoreUnsafe(ref ar, ab); a1.StoreUnsafe(ref ar, ab + 8);
            a2.StoreUnsafe(ref ar, ab + 16); a3.StoreUnsafe(ref ar, ab + 24);
        }
    }
}
