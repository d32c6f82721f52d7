using System.Buffers;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>How a depthwise call lays out its work: chosen by geometry (<see cref="Auto"/>) or forced by tests and benchmarks.</summary>
internal enum DepthwiseConvPath
{
    Auto,
    /// <summary>Per-plane band layout (DepthwiseConvForward/BackwardInput/BackwardWeight.cs): vectors run along a row.</summary>
    Planar,
    /// <summary>Transpose to channels-last per clip, vectors run across 8 channels (this file).</summary>
    ChannelsLast,
}

/// <summary>
/// Channels-last depthwise kernels. Each clip's planes of a channel range are transposed to (H, W, C) in a zero-padded
/// buffer, so one Vector256 holds the same pixel of 8 channels: every tap is a whole-vector FMA whatever the stride
/// or map width, with no phase split, band or row copies. The planar kernels lose most of their speed exactly there
/// (stride 2, and the 2x4 .. 4x7 maps of the late stages: 1-3 GMAC/s against 12-16 for stride-1 wide maps); the
/// transposes cost one extra pass over the clip while it is in L1/L2.
/// Arithmetic per element is the planar path's: an output is one FMA chain over the taps in (u, v) order from zero;
/// an input-gradient element gathers its taps with u, v descending, then is added to gx. Channel ranges are whole
/// chunks of 8, and lanes never mix channels, so results do not depend on the thread count.
/// </summary>
public static unsafe partial class DepthwiseConv
{
    /// <summary>Channels per parallel chunk (one Vector256).</summary>
    private const int ChannelsLastChunk = 8;

    /// <summary>
    /// Channels-last wins where the planar layout cannot keep its vectors full: strided convolutions at every kernel
    /// size, narrow maps (under 16 output columns) at 3x3, and the tiny maps of the late stages (4x7, 2x4) at every
    /// kernel size, where it also skips the taps that fall on the padding (most of a 7x7 kernel on a 4x7 map).
    /// On wide stride-1 maps the planar vectors are full, and at 5x5 / 7x7 on 8x13 and up planar reuses each loaded
    /// row over more taps while channels-last pays its transposes: planar there. Measured per layer of the demo's
    /// space (`benchmarks ... depthwise-probe`, RESULTS.md): channels-last 1.3-3.5x on 4x7 / 2x4 at k 5/7, 1.4-2.4x
    /// on strided 16x26 / 8x13, a tie at 32x51 stride 2 k7. Below 8 channels there is no whole vector: planar.
    /// </summary>
    internal static bool UseChannelsLast(in ConvGeometry g)
    {
        if (g.InChannels < ChannelsLastChunk || g.InH * g.InW > ChannelsLastMaxInputPositions) return false;
        if (g.StrideH > 1 || g.StrideW > 1) return true;
        return g.OutW < 16 && (g.KernelH * g.KernelW <= 9 || g.InH * g.InW <= ChannelsLastTinyMapPositions);
    }

    /// <summary>Maps up to this many positions (4x7 = 28, 2x4 = 8) go channels-last at any kernel size.</summary>
    private const int ChannelsLastTinyMapPositions = 32;

    /// <summary>Largest input map (H*W) that goes channels-last (32x50 does).</summary>
    private const int ChannelsLastMaxInputPositions = 2048;

    private static bool Resolve(DepthwiseConvPath path, in ConvGeometry g)
        => path == DepthwiseConvPath.ChannelsLast || (path == DepthwiseConvPath.Auto && UseChannelsLast(g));

    /// <summary>
    /// Chunks of 8 channels per pass of one thread: as many as keep one padded clip (Hp * Wp * channels floats) within
    /// 64 KB, so the transposes, taps and scatter run from L1/L2 (16x25 maps: 32 channels per pass; 4x7: ~300).
    /// </summary>
    internal static int ChannelsLastChunksPerPass(in ConvGeometry g)
    {
        long paddedPositions = (long)(g.InH + 2 * g.PadH) * (g.InW + 2 * g.PadW);
        return (int)Math.Max(1, 16384 / paddedPositions / ChannelsLastChunk);
    }

    /// <summary>Sizes of the per-pass scratch: padded input (and input gradient), compact clip for narrow maps, output clip, weights.</summary>
    private readonly struct ChannelsLastScratch
    {
        public readonly int Hp, Wp, Taps, Padded, Compact, Out;

        public ChannelsLastScratch(in ConvGeometry g, int cr)
        {
            Hp = g.InH + 2 * g.PadH;
            Wp = g.InW + 2 * g.PadW;
            Taps = g.KernelH * g.KernelW;
            Padded = Hp * Wp * cr;
            Compact = g.InW >= DirectRowTransposeMinWidth ? 0 : g.InH * g.InW * cr;
            Out = g.OutH * g.OutW * cr;
        }
    }

    /// <summary>Maps at least this wide are transposed row by row straight into the padded buffer (whole 8x8 blocks along a row).</summary>
    private const int DirectRowTransposeMinWidth = 16;

    /// <summary>
    /// Channels [c0, c1) of one clip (planes at <paramref name="plane0"/>, stride H*W) into the padded (Hp, Wp, cr)
    /// buffer; the border is never written (stays zero). Wide rows transpose straight into place; narrow maps (W = 2 .. 13,
    /// too short for 8x8 blocks per row) transpose whole planes into <paramref name="compact"/>, then copy rows.
    /// </summary>
    private static void ToPaddedChannelsLast(in ConvGeometry g, float* plane0, int cr, float* padded, int wp, float* compact)
    {
        int hw = g.InH * g.InW;
        if (g.InW >= DirectRowTransposeMinWidth)
        {
            for (int r = 0; r < g.InH; r++)
                BlockTranspose.Transpose(plane0 + (long)r * g.InW, cr, g.InW, hw, padded + ((long)(r + g.PadH) * wp + g.PadW) * cr, cr, add: false);
            return;
        }
        int rowLen = g.InW * cr;
        BlockTranspose.Transpose(plane0, cr, hw, hw, compact, cr, add: false);
        for (int r = 0; r < g.InH; r++)
            new ReadOnlySpan<float>(compact + (long)r * rowLen, rowLen).CopyTo(new Span<float>(padded + ((long)(r + g.PadH) * wp + g.PadW) * cr, rowLen));
    }

    /// <summary>Adds (or with <paramref name="add"/> false, writes) the interior of a padded (Hp, Wp, cr) gradient into channels [c0, c1) of one clip (planes at <paramref name="plane0"/>).</summary>
    private static void AddFromPaddedChannelsLast(in ConvGeometry g, float* padded, int wp, int cr, float* plane0, float* compact, bool add)
    {
        int hw = g.InH * g.InW;
        if (g.InW >= DirectRowTransposeMinWidth)
        {
            for (int r = 0; r < g.InH; r++)
                BlockTranspose.Transpose(padded + ((long)(r + g.PadH) * wp + g.PadW) * cr, g.InW, cr, cr, plane0 + (long)r * g.InW, hw, add);
            return;
        }
        int rowLen = g.InW * cr;
        for (int r = 0; r < g.InH; r++)
            new ReadOnlySpan<float>(padded + ((long)(r + g.PadH) * wp + g.PadW) * cr, rowLen).CopyTo(new Span<float>(compact + (long)r * rowLen, rowLen));
        BlockTranspose.Transpose(compact, hw, cr, cr, plane0, hw, add);
    }

    /// <summary>Forward for channels [c0, c1): y planes overwritten.</summary>
    internal static void ForwardChannelsLast(in ConvGeometry g, float* x, float* w, float* y, int c0, int c1)
    {
        int cr = c1 - c0, ch = g.InChannels, hw = g.InH * g.InW, ohw = g.OutH * g.OutW;
        var s = new ChannelsLastScratch(g, cr);
        float[] arr = ArrayPool<float>.Shared.Rent(s.Padded + s.Compact + s.Out + s.Taps * cr);
        try
        {
            fixed (float* p = arr)
            {
                float* xp = p, compact = p + s.Padded, yT = compact + s.Compact, wT = yT + s.Out;
                new Span<float>(xp, s.Padded).Clear();
                for (int c = 0; c < cr; c++)
                    for (int t = 0; t < s.Taps; t++) wT[t * cr + c] = w[(long)(c0 + c) * s.Taps + t];
                for (int n = 0; n < g.Batch; n++)
                {
                    ToPaddedChannelsLast(g, x + ((long)n * ch + c0) * hw, cr, xp, s.Wp, compact);
                    CorrelateChannelsLast(g, xp, s.Wp, wT, yT, cr);
                    BlockTranspose.Transpose(yT, ohw, cr, cr, y + ((long)n * ch + c0) * ohw, ohw, add: false);
                }
            }
        }
        finally { ArrayPool<float>.Shared.Return(arr); }
    }

    /// <summary>
    /// yT[(i, j), c] = sum over taps in (u, v) order of xp[(i*sH + u, j*sW + v), c] * wT[(u, v), c], one FMA chain per
    /// element. Taps that fall on the zero border are skipped (they would add exact zeros: same bits), which at 5x5 and
    /// 7x7 on the 2x4 .. 8x13 maps of the late stages is most of them. Four outputs of a row run together (four
    /// independent chains sharing each weight load) over the union of their tap ranges; taps of that union outside one
    /// output's own range read the zero border, so every chain still sees the same nonzero terms in the same order.
    /// </summary>
    private static void CorrelateChannelsLast(in ConvGeometry g, float* xp, int wp, float* wT, float* yT, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, sh = g.StrideH, sw = g.StrideW;
        int cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        long rowStep = (long)wp * cr, colStep = (long)sw * cr;
        for (int i = 0; i < oh; i++)
        {
            int uLo = Math.Max(0, g.PadH - i * sh), uHi = Math.Min(kh, g.InH + g.PadH - i * sh);
            int j = 0;
            for (; j + 4 <= ow; j += 4)
            {
                int vLo = Math.Max(0, g.PadW - (j + 3) * sw), vHi = Math.Min(kw, g.InW + g.PadW - j * sw);
                float* xb = xp + ((long)i * sh * wp + (long)j * sw) * cr;
                float* yb = yT + ((long)i * ow + j) * cr;
                for (int c = 0; c < cv; c += 8)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int u = uLo; u < uHi; u++)
                    {
                        float* xr = xb + u * rowStep + c;
                        float* wr = wT + (long)u * kw * cr + c;
                        for (int v = vLo; v < vHi; v++)
                        {
                            var wv = Vector256.Load(wr + (long)v * cr);
                            float* xq = xr + (long)v * cr;
                            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(xq), wv, a0);
                            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + colStep), wv, a1);
                            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 2 * colStep), wv, a2);
                            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 3 * colStep), wv, a3);
                        }
                    }
                    a0.Store(yb + c);
                    a1.Store(yb + cr + c);
                    a2.Store(yb + 2 * cr + c);
                    a3.Store(yb + 3 * cr + c);
                }
                for (int b = 0; b < 4; b++)
                    CorrelateOneOutput(xb + b * colStep, wT, yb + b * cr, cv, cr, uLo, uHi, vLo, vHi, rowStep, kw);
            }
            for (; j < ow; j++)
            {
                int vLo = Math.Max(0, g.PadW - j * sw), vHi = Math.Min(kw, g.InW + g.PadW - j * sw);
                CorrelateOneOutput(xp + ((long)i * sh * wp + (long)j * sw) * cr, wT, yT + ((long)i * ow + j) * cr, 0, cr, uLo, uHi, vLo, vHi, rowStep, kw);
            }
        }
    }

    /// <summary>One output position's channels [c0, cr) over taps [uLo, uHi) x [vLo, vHi): vectors of 8, then a scalar tail.</summary>
    private static void CorrelateOneOutput(float* xb, float* wT, float* yb, int c0, int cr, int uLo, int uHi, int vLo, int vHi, long rowStep, int kw)
    {
        int cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0, c = c0;
        for (; c < cv; c += 8)
        {
            var acc = Vector256<float>.Zero;
            for (int u = uLo; u < uHi; u++)
            {
                float* xr = xb + u * rowStep + c;
                float* wr = wT + (long)u * kw * cr + c;
                for (int v = vLo; v < vHi; v++)
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(xr + (long)v * cr), Vector256.Load(wr + (long)v * cr), acc);
            }
            acc.Store(yb + c);
        }
        for (; c < cr; c++)
        {
            float acc = 0f;
            for (int u = uLo; u < uHi; u++)
            {
                float* xr = xb + u * rowStep + c;
                float* wr = wT + (long)u * kw * cr + c;
                for (int v = vLo; v < vHi; v++) acc = MathF.FusedMultiplyAdd(xr[(long)v * cr], wr[(long)v * cr], acc);
            }
            yb[c] = acc;
        }
    }

    /// <summary>
    /// Backward for channels [c0, c1): gx += input gradient (when gx is not null) and gw += weight gradient (when gw is
    /// not null; overwritten instead when <paramref name="gxAccumulate"/> is false), sharing one transpose of gy per clip.
    /// </summary>
    internal static void BackwardChannelsLast(in ConvGeometry g, float* x, float* gy, float* w, float* gx, float* gw, int c0, int c1,
        bool gxAccumulate = true)
    {
        int cr = c1 - c0, ch = g.InChannels, hw = g.InH * g.InW, ohw = g.OutH * g.OutW;
        var s = new ChannelsLastScratch(g, cr);
        bool doGx = gx != null, doGw = gw != null;
        float[] arr = ArrayPool<float>.Shared.Rent(2 * s.Padded + s.Compact + s.Out + 2 * s.Taps * cr);
        try
        {
            fixed (float* p = arr)
            {
                float* xp = p, gxp = p + s.Padded, compact = gxp + s.Padded, gyT = compact + s.Compact, wT = gyT + s.Out, gwT = wT + s.Taps * cr;
                new Span<float>(xp, s.Padded).Clear();
                new Span<float>(gwT, s.Taps * cr).Clear();
                if (doGx) // the weights are only read by the input gradient (a weight-only call passes none)
                    for (int c = 0; c < cr; c++)
                        for (int t = 0; t < s.Taps; t++) wT[t * cr + c] = w[(long)(c0 + c) * s.Taps + t];
                for (int n = 0; n < g.Batch; n++)
                {
                    BlockTranspose.Transpose(gy + ((long)n * ch + c0) * ohw, cr, ohw, ohw, gyT, cr, add: false);
                    if (doGx)
                    {
                        GatherInputGradientChannelsLast(g, gyT, wT, gxp, s.Wp, cr);
                        AddFromPaddedChannelsLast(g, gxp, s.Wp, cr, gx + ((long)n * ch + c0) * hw, compact, gxAccumulate);
                    }
                    if (doGw)
                    {
                        ToPaddedChannelsLast(g, x + ((long)n * ch + c0) * hw, cr, xp, s.Wp, compact);
                        AccumulateWeightGradientChannelsLast(g, xp, s.Wp, gyT, gwT, cr);
                    }
                }
                if (doGw)
                    for (int c = 0; c < cr; c++)
                        for (int t = 0; t < s.Taps; t++) gw[(long)(c0 + c) * s.Taps + t] += gwT[t * cr + c];
            }
        }
        finally { ArrayPool<float>.Shared.Return(arr); }
    }

    /// <summary>
    /// The input gradient of every interior element of the padded (Hp, Wp, cr) buffer, gathered in registers:
    /// gxp[(p, q), c] = sum of gyT[(i, j), c] * wT[(u, v), c] over the outputs (i, j) that tap it, in the outputs'
    /// row-major order (u, v descending) — the order in which the planar kernel and a scatter from zero add them, so the
    /// bits are the same — one FMA chain from zero per element, two channel vectors at a time. The border is not written.
    /// </summary>
    private static void GatherInputGradientChannelsLast(in ConvGeometry g, float* gyT, float* wT, float* gxp, int wp, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, sh = g.StrideH, sw = g.StrideW;
        int cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        // Per input column q: the largest tap v that reaches it (v = qq - j*sW, outputs j ascending), its output j and
        // the number of such taps; no divisions inside the position loop.
        int* v0 = stackalloc int[g.InW];
        int* j0 = stackalloc int[g.InW];
        int* nv = stackalloc int[g.InW];
        for (int q = 0; q < g.InW; q++)
        {
            int qq = q + g.PadW;
            int vMin = Math.Max(0, qq - (ow - 1) * sw), vMax = Math.Min(kw - 1, qq);
            int v = vMax - PositiveMod(vMax - qq, sw);
            v0[q] = v;
            j0[q] = (qq - v) / sw;
            nv[q] = v >= vMin ? (v - vMin) / sw + 1 : 0;
        }
        // Walking the taps: next output column = next gy position (+cr), tap v - sW (-sW*cr); next output row = +ow*cr,
        // tap u - sH (-sH*kw*cr).
        long gyNextRow = (long)ow * cr, wNextCol = (long)sw * cr, wNextRow = (long)sh * kw * cr;
        for (int p = 0; p < g.InH; p++)
        {
            int pp = p + g.PadH;
            int uMin = Math.Max(0, pp - (oh - 1) * sh), uMax = Math.Min(kh - 1, pp);
            int u0 = uMax - PositiveMod(uMax - pp, sh), i0 = (pp - u0) / sh;
            int nu = u0 >= uMin ? (u0 - uMin) / sh + 1 : 0;
            for (int q = 0; q < g.InW; q++)
            {
                int n = nv[q];
                float* gy0 = gyT + ((long)i0 * ow + j0[q]) * cr;
                float* w0 = wT + ((long)u0 * kw + v0[q]) * cr;
                float* gb = gxp + ((long)pp * wp + q + g.PadW) * cr;
                int c = 0;
                for (; c + 32 <= cv; c += 32)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    float* dr = gy0 + c, wr = w0 + c;
                    for (int a = 0; a < nu; a++, dr += gyNextRow, wr -= wNextRow)
                    {
                        float* d = dr, w = wr;
                        for (int b = 0; b < n; b++, d += cr, w -= wNextCol)
                        {
                            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(d), Vector256.Load(w), a0);
                            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(d + 8), Vector256.Load(w + 8), a1);
                            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(d + 16), Vector256.Load(w + 16), a2);
                            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(d + 24), Vector256.Load(w + 24), a3);
                        }
                    }
                    a0.Store(gb + c);
                    a1.Store(gb + c + 8);
                    a2.Store(gb + c + 16);
                    a3.Store(gb + c + 24);
                }
                for (; c < cv; c += 8)
                {
                    var a0 = Vector256<float>.Zero;
                    float* dr = gy0 + c, wr = w0 + c;
                    for (int a = 0; a < nu; a++, dr += gyNextRow, wr -= wNextRow)
                    {
                        float* d = dr, w = wr;
                        for (int b = 0; b < n; b++, d += cr, w -= wNextCol)
                            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(d), Vector256.Load(w), a0);
                    }
                    a0.Store(gb + c);
                }
                for (; c < cr; c++)
                {
                    float acc = 0f;
                    float* dr = gy0 + c, wr = w0 + c;
                    for (int a = 0; a < nu; a++, dr += gyNextRow, wr -= wNextRow)
                    {
                        float* d = dr, w = wr;
                        for (int b = 0; b < n; b++, d += cr, w -= wNextCol) acc = MathF.FusedMultiplyAdd(*d, *w, acc);
                    }
                    gb[c] = acc;
                }
            }
        }
    }

    private static int PositiveMod(int a, int m) => ((a % m) + m) % m;

    /// <summary>ceil(a / b) for b > 0 and any sign of a.</summary>
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    /// <summary>
    /// gwT[(u, v), c] += (sum over this clip's outputs of xp[(i*sH + u, j*sW + v), c] * gyT[(i, j), c]): a register
    /// chain per tap and clip over the outputs in row-major order, then one add per clip in batch order. Outputs whose
    /// tap falls on the zero border are skipped (exact zeros); four taps of a kernel row run together (four chains
    /// sharing each gradient load) over the union of their output ranges, the extra terms reading the zero border.
    /// </summary>
    private static void AccumulateWeightGradientChannelsLast(in ConvGeometry g, float* xp, int wp, float* gyT, float* gwT, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, sh = g.StrideH, sw = g.StrideW;
        int cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        long rowStep = (long)wp * cr, colStep = (long)sw * cr, outRowStep = (long)sh * rowStep;
        for (int u = 0; u < kh; u++)
        {
            // Outputs i whose row i*sH + u is interior: PadH <= i*sH + u < PadH + InH.
            int iLo = Math.Max(0, CeilDiv(g.PadH - u, sh)), iHi = Math.Min(oh, CeilDiv(g.PadH + g.InH - u, sh));
            int v = 0;
            for (; v + 4 <= kw; v += 4)
            {
                int jLo = Math.Max(0, CeilDiv(g.PadW - (v + 3), sw)), jHi = Math.Min(ow, CeilDiv(g.PadW + g.InW - v, sw));
                for (int c = 0; c < cv; c += 8)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int i = iLo; i < iHi; i++)
                    {
                        float* xq = xp + i * outRowStep + u * rowStep + (long)jLo * colStep + (long)v * cr + c;
                        float* gr = gyT + ((long)i * ow + jLo) * cr + c;
                        for (int j = jLo; j < jHi; j++, xq += colStep, gr += cr)
                        {
                            var d = Vector256.Load(gr);
                            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(xq), d, a0);
                            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + cr), d, a1);
                            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 2 * cr), d, a2);
                            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 3 * cr), d, a3);
                        }
                    }
                    float* dst = gwT + (u * kw + v) * cr + c;
                    (Vector256.Load(dst) + a0).Store(dst);
                    (Vector256.Load(dst + cr) + a1).Store(dst + cr);
                    (Vector256.Load(dst + 2 * cr) + a2).Store(dst + 2 * cr);
                    (Vector256.Load(dst + 3 * cr) + a3).Store(dst + 3 * cr);
                }
                for (int b = 0; b < 4; b++) WeightGradientOneTap(xp, gyT, gwT, cv, cr, u, v + b, kw, iLo, iHi, jLo, jHi, ow, rowStep, colStep, outRowStep);
            }
            for (; v < kw; v++)
            {
                int jLo = Math.Max(0, CeilDiv(g.PadW - v, sw)), jHi = Math.Min(ow, CeilDiv(g.PadW + g.InW - v, sw));
                WeightGradientOneTap(xp, gyT, gwT, 0, cr, u, v, kw, iLo, iHi, jLo, jHi, ow, rowStep, colStep, outRowStep);
            }
        }
    }

    /// <summary>One tap's weight gradient for channels [c0, cr) over outputs [iLo, iHi) x [jLo, jHi): vectors, then a scalar tail.</summary>
    private static void WeightGradientOneTap(float* xp, float* gyT, float* gwT, int c0, int cr, int u, int v, int kw,
        int iLo, int iHi, int jLo, int jHi, int ow, long rowStep, long colStep, long outRowStep)
    {
        int cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0, c = c0;
        for (; c < cv; c += 8)
        {
            // Four partial chains (outputs j, j+1, j+2, j+3 of a row), summed at the end: one chain over a 16x26 map is
            // 416 dependent FMAs, latency-bound.
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = iLo; i < iHi; i++)
            {
                float* xq = xp + i * outRowStep + u * rowStep + (long)jLo * colStep + (long)v * cr + c;
                float* gr = gyT + ((long)i * ow + jLo) * cr + c;
                int j = jLo;
                for (; j + 4 <= jHi; j += 4, xq += 4 * colStep, gr += 4 * cr)
                {
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(xq), Vector256.Load(gr), a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + colStep), Vector256.Load(gr + cr), a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 2 * colStep), Vector256.Load(gr + 2 * cr), a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.Load(xq + 3 * colStep), Vector256.Load(gr + 3 * cr), a3);
                }
                for (; j < jHi; j++, xq += colStep, gr += cr)
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(xq), Vector256.Load(gr), a0);
            }
            float* dst = gwT + (u * kw + v) * cr + c;
            (Vector256.Load(dst) + ((a0 + a1) + (a2 + a3))).Store(dst);
        }
        for (; c < cr; c++)
        {
            float acc = 0f;
            for (int i = iLo; i < iHi; i++)
            {
                float* xq = xp + i * outRowStep + u * rowStep + (long)jLo * colStep + (long)v * cr + c;
                float* gr = gyT + ((long)i * ow + jLo) * cr + c;
                for (int j = jLo; j < jHi; j++, xq += colStep, gr += cr) acc = MathF.FusedMultiplyAdd(*xq, *gr, acc);
            }
            gwT[(u * kw + v) * cr + c] += acc;
        }
    }
}
