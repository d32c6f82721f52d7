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
    /// Channels-last wins where the planar layout cannot keep its vectors full, at 3x3 and smaller kernels: strided
    /// convolutions and narrow maps (measured in benchmarks/RESULTS.md: 1.5-2.5x at 16x25 and 8x13 stride 2 and at 4x7).
    /// At 5x5 and 7x7 the planar kernels reuse each loaded row over more taps, and on wide stride-1 maps (16x25 and
    /// up) their vectors are full while channels-last pays its transposes: planar there. The 32x50 stride-2 layer is
    /// close: planar wins when its data sit in cache, channels-last inside a training step, where they come from
    /// memory (forward + backward 6.1-6.5 ms planar, 4.7-5.2 ms channels-last per step at 1 thread, batch 32).
    /// Below 8 channels there is no whole vector: planar.
    /// </summary>
    internal static bool UseChannelsLast(in ConvGeometry g)
        => g.InChannels >= ChannelsLastChunk && g.KernelH * g.KernelW <= 9 && g.InH * g.InW <= ChannelsLastMaxInputPositions
           && (g.StrideH > 1 || g.StrideW > 1 || g.OutW < 16);

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

    /// <summary>yT[(i, j), c] = sum over taps in (u, v) order of xp[(i*sH + u, j*sW + v), c] * wT[(u, v), c], one FMA chain.</summary>
    private static void CorrelateChannelsLast(in ConvGeometry g, float* xp, int wp, float* wT, float* yT, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        long rowStep = (long)wp * cr;
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                float* xb = xp + ((long)i * g.StrideH * wp + (long)j * g.StrideW) * cr;
                float* yb = yT + ((long)i * ow + j) * cr;
                for (int c = 0; c < cv; c += 8)
                {
                    var acc = Vector256<float>.Zero;
                    float* wt = wT + c;
                    for (int u = 0; u < kh; u++)
                    {
                        float* xr = xb + u * rowStep + c;
                        for (int v = 0; v < kw; v++, wt += cr)
                            acc = Vector256.FusedMultiplyAdd(Vector256.Load(xr + (long)v * cr), Vector256.Load(wt), acc);
                    }
                    acc.Store(yb + c);
                }
                for (int c = cv; c < cr; c++)
                {
                    float acc = 0f;
                    float* wt = wT + c;
                    for (int u = 0; u < kh; u++)
                    {
                        float* xr = xb + u * rowStep + c;
                        for (int v = 0; v < kw; v++, wt += cr) acc = MathF.FusedMultiplyAdd(xr[(long)v * cr], *wt, acc);
                    }
                    yb[c] = acc;
                }
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
                        new Span<float>(gxp, s.Padded).Clear();
                        ScatterInputGradientChannelsLast(g, gyT, wT, gxp, s.Wp, cr);
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
    /// gxp[(i*sH + u, j*sW + v), c] += gyT[(i, j), c] * wT[(u, v), c] over outputs in row-major order: an input element
    /// receives its taps with u, v descending, as in the planar kernel's gather.
    /// </summary>
    private static void ScatterInputGradientChannelsLast(in ConvGeometry g, float* gyT, float* wT, float* gxp, int wp, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        long rowStep = (long)wp * cr;
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                float* gb = gxp + ((long)i * g.StrideH * wp + (long)j * g.StrideW) * cr;
                float* gyb = gyT + ((long)i * ow + j) * cr;
                for (int c = 0; c < cv; c += 8)
                {
                    var d = Vector256.Load(gyb + c);
                    float* wt = wT + c;
                    for (int u = 0; u < kh; u++)
                    {
                        float* gr = gb + u * rowStep + c;
                        for (int v = 0; v < kw; v++, wt += cr)
                        {
                            float* q = gr + (long)v * cr;
                            Vector256.FusedMultiplyAdd(d, Vector256.Load(wt), Vector256.Load(q)).Store(q);
                        }
                    }
                }
                for (int c = cv; c < cr; c++)
                {
                    float d = gyb[c];
                    float* wt = wT + c;
                    for (int u = 0; u < kh; u++)
                    {
                        float* gr = gb + u * rowStep + c;
                        for (int v = 0; v < kw; v++, wt += cr)
                        {
                            float* q = gr + (long)v * cr;
                            *q = MathF.FusedMultiplyAdd(d, *wt, *q);
                        }
                    }
                }
            }
    }

    /// <summary>
    /// gwT[(u, v), c] += (sum over this clip's outputs of xp[(i*sH + u, j*sW + v), c] * gyT[(i, j), c]): a register
    /// chain per tap and clip, then one add per clip in batch order.
    /// </summary>
    private static void AccumulateWeightGradientChannelsLast(in ConvGeometry g, float* xp, int wp, float* gyT, float* gwT, int cr)
    {
        int kh = g.KernelH, kw = g.KernelW, oh = g.OutH, ow = g.OutW, cv = Vector256.IsHardwareAccelerated ? cr & ~7 : 0;
        long rowStep = (long)wp * cr, colStep = (long)g.StrideW * cr, outRowStep = (long)g.StrideH * rowStep;
        for (int c = 0; c < cv; c += 8)
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++)
                {
                    var acc = Vector256<float>.Zero;
                    float* xr = xp + u * rowStep + (long)v * cr + c;
                    float* gr = gyT + c;
                    for (int i = 0; i < oh; i++, xr += outRowStep)
                    {
                        float* xq = xr;
                        for (int j = 0; j < ow; j++, xq += colStep, gr += cr)
                            acc = Vector256.FusedMultiplyAdd(Vector256.Load(xq), Vector256.Load(gr), acc);
                    }
                    float* dst = gwT + (u * kw + v) * cr + c;
                    (Vector256.Load(dst) + acc).Store(dst);
                }
        for (int c = cv; c < cr; c++)
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++)
                {
                    float acc = 0f;
                    float* xr = xp + u * rowStep + (long)v * cr + c;
                    float* gr = gyT + c;
                    for (int i = 0; i < oh; i++, xr += outRowStep)
                    {
                        float* xq = xr;
                        for (int j = 0; j < ow; j++, xq += colStep, gr += cr) acc = MathF.FusedMultiplyAdd(*xq, *gr, acc);
                    }
                    gwT[(u * kw + v) * cr + c] += acc;
                }
    }
}
