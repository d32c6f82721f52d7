namespace AecOfa.Engine.Kernels;

/// <summary>
/// Flat layout of a band of input planes (same channel, consecutive batch items, side by side) for the forward and
/// weight-gradient kernels. The band is zero-padded and split into StrideH x StrideW phases (phase (a, b) holds
/// padded rows a, a+s, ... and columns b, b+s, ...), all with one row stride, so a strided convolution becomes a sum
/// of stride-1 correlations: output (i, j) of band plane p sits at flat o = i * RowStride + p * PlanePitch + j and
/// tap (u, v) reads phase (u % sH, v % sW) at o + (u / sH) * RowStride + v / sW.
/// Neighbouring planes share their padding columns; placing several narrow planes in one band keeps the vectors
/// full and the loops long for small maps (W = 4 .. 13) without any transpose.
/// </summary>
internal readonly struct DepthwiseForwardLayout
{
    public readonly int BandPlanes;   // planes side by side in one band
    public readonly int PlanePitch;   // phase columns from one plane to the next
    public readonly int RowStride;    // phase columns of the whole band
    public readonly int PhaseRows;
    public readonly int PhaseSize;    // PhaseRows * RowStride
    public readonly int OutLength;    // OutH * RowStride: flat outputs incl. garbage columns
    public readonly int FlatLength;   // OutLength rounded up to 16 (widest vector)
    public readonly int BufferLength; // input buffer incl. slack for garbage lanes

    public DepthwiseForwardLayout(in ConvGeometry g, int bandPlanes)
    {
        int sh = g.StrideH, sw = g.StrideW;
        BandPlanes = bandPlanes;
        // Padded columns from one plane to the next: W + PadW (shared padding), a multiple of the stride so every
        // plane has the same phase pattern. A valid output never reads a neighbour's data.
        int pitchCols = (g.InW + g.PadW + sw - 1) / sw * sw;
        PlanePitch = pitchCols / sw;
        RowStride = ((bandPlanes - 1) * pitchCols + g.InW + 2 * g.PadW + sw - 1) / sw;
        PhaseRows = (g.InH + 2 * g.PadH + sh - 1) / sh;
        PhaseSize = PhaseRows * RowStride;
        OutLength = g.OutH * RowStride;
        FlatLength = (OutLength + 15) & ~15;
        int maxOff = (sh * sw - 1) * PhaseSize + (g.KernelH - 1) / sh * RowStride + (g.KernelW - 1) / sw;
        // Slack: garbage lanes read up to maxOff + FlatLength; paired weight-gradient taps and row-pair blocks of
        // 64 columns read up to one row and 64 floats further.
        BufferLength = Math.Max(sh * sw * PhaseSize, maxOff + FlatLength + RowStride) + 80;
    }

    /// <summary>
    /// How many planes to put side by side: narrow planes (pitch under 48 columns) go into bands of at most about 160
    /// columns; wide planes stay alone (banding them measured slower at k = 3). Among the band sizes allowed, the one
    /// that computes the fewest columns for the whole batch (bands x row stride rounded up to a vector) wins, the widest
    /// on ties: the kernels compute whole vectors of every band row, so a band 148 columns wide costs as much as one of
    /// 160, and a last band holding few planes costs as much as a full one (32 clips of 16x26 at k = 7: 7 bands of 5 cost
    /// 1120 columns, 8 bands of 4 cost 1024).
    /// </summary>
    public static int ChooseBandPlanes(in ConvGeometry g)
    {
        int pitch = Math.Max(1, (g.InW + g.PadW) / g.StrideW);
        if (pitch >= 48) return 1;
        // A strided band holds StrideH * StrideW phase images: keep the whole buffer L1-sized.
        int max = Math.Clamp(160 / (g.StrideH * g.StrideW) / pitch, 1, g.Batch);
        int best = 1;
        long bestCost = long.MaxValue;
        for (int b = 1; b <= max; b++)
        {
            long cost = (long)((g.Batch + b - 1) / b) * ((new DepthwiseForwardLayout(g, b).RowStride + 15) & ~15);
            if (cost <= bestCost) { best = b; bestCost = cost; }
        }
        return best;
    }

    /// <summary>Flat offset of tap (u, v), for taps in row-major order (t = u * KernelW + v).</summary>
    public void FillTapOffsets(in ConvGeometry g, Span<int> off)
    {
        for (int u = 0; u < g.KernelH; u++)
            for (int v = 0; v < g.KernelW; v++)
                off[u * g.KernelW + v] = ((u % g.StrideH) * g.StrideW + v % g.StrideW) * PhaseSize
                    + u / g.StrideH * RowStride + v / g.StrideW;
    }

    /// <summary>Where input row r starts in the buffer (its phase and phase row), for each r.</summary>
    public void FillRowOffsets(in ConvGeometry g, Span<int> rowOff)
    {
        for (int r = 0; r < g.InH; r++)
        {
            int pr = r + g.PadH;
            rowOff[r] = (pr % g.StrideH) * g.StrideW * PhaseSize + pr / g.StrideH * RowStride;
        }
    }

    /// <summary>Where input column q of band plane 0 lands within a row (its phase and phase column), for each q.</summary>
    public void FillColOffsets(in ConvGeometry g, Span<int> colOff)
    {
        for (int q = 0; q < g.InW; q++)
        {
            int pc = q + g.PadW;
            colOff[q] = (pc % g.StrideW) * PhaseSize + pc / g.StrideW;
        }
    }

    /// <summary>Scatters one input plane into band slot <paramref name="slot"/> of the (pre-zeroed) buffer; padding is never written.</summary>
    public void Scatter(in ConvGeometry g, ReadOnlySpan<float> plane, Span<float> buf, int slot, ReadOnlySpan<int> rowOff, ReadOnlySpan<int> colOff)
    {
        int w = g.InW, shift = slot * PlanePitch;
        if (g.StrideW == 1)
        {
            int c0 = colOff[0] + shift;
            for (int r = 0; r < g.InH; r++) DepthwiseConvRowCopy.Copy(plane.Slice(r * w, w), buf.Slice(rowOff[r] + c0), w);
            return;
        }
        if (g.StrideW == 2 && w >= 2)
        {
            // Columns alternate between the two column phases; each parity is contiguous within its phase.
            int c0 = colOff[0] + shift, c1 = colOff[1] + shift;
            for (int r = 0; r < g.InH; r++)
                DepthwiseConvRowCopy.Deinterleave2(plane.Slice(r * w, w), buf.Slice(rowOff[r] + c0), buf.Slice(rowOff[r] + c1), w);
            return;
        }
        for (int r = 0; r < g.InH; r++)
        {
            var src = plane.Slice(r * w, w);
            var dst = buf.Slice(rowOff[r] + shift);
            for (int q = 0; q < src.Length; q++) dst[colOff[q]] = src[q];
        }
    }
}

/// <summary>
/// Flat layout of a band of output-gradient planes (side by side) for the input-gradient kernel (a transposed
/// convolution). The input gradient is split into StrideH x StrideW output phases (rows a, a+s, ...; columns
/// b, b+s, ...); phase (a, b) receives only the taps u = a + PadH (mod sH), v = b + PadW (mod sW), and for those it
/// is a stride-1 correlation of the zero-padded gy:
/// gx[s*r' + a, s*q' + b] += sum w[u, v] * gy[r' + (a + PadH - u) / sH, q' + (b + PadW - v) / sW].
/// Phase output (r', q') of band plane p sits at flat o = r' * RowStride + p * PlanePitch + q'.
/// </summary>
internal readonly struct DepthwiseBackwardInputLayout
{
    public readonly int Top, Left;     // zero rows/columns before gy (the most any tap reaches back)
    public readonly int PlanePitch;    // columns from one plane's gy to the next
    public readonly int RowStride;
    public readonly int PhaseRowsMax;  // ceil(InH / StrideH)
    public readonly int FlatLength;    // PhaseRowsMax * RowStride rounded up to 16
    public readonly int BufferLength;

    public DepthwiseBackwardInputLayout(in ConvGeometry g, int bandPlanes)
    {
        int sh = g.StrideH, sw = g.StrideW;
        Top = Math.Max(0, CeilDiv(g.KernelH - 1 - g.PadH, sh));
        Left = Math.Max(0, CeilDiv(g.KernelW - 1 - g.PadW, sw));
        PhaseRowsMax = (g.InH + sh - 1) / sh;
        int phaseColsMax = (g.InW + sw - 1) / sw;
        int maxDr = (sh - 1 + g.PadH) / sh, maxDc = (sw - 1 + g.PadW) / sw;
        // A valid output reads gy columns [-(Left), phaseColsMax - 1 + maxDc] relative to its plane; the pitch keeps
        // every such read either on its own plane's data or on zeros.
        PlanePitch = Math.Max(Left + g.OutW, phaseColsMax + maxDc);
        RowStride = (bandPlanes - 1) * PlanePitch + Left + Math.Max(g.OutW, phaseColsMax + maxDc) + 1;
        int rows = Top + Math.Max(g.OutH, PhaseRowsMax + maxDr) + 1;
        FlatLength = (PhaseRowsMax * RowStride + 15) & ~15;
        int maxOff = (Top + maxDr) * RowStride + Left + maxDc;
        BufferLength = Math.Max(rows * RowStride, maxOff + FlatLength + RowStride) + 80; // slack as in the forward layout
    }

    /// <summary>Planes per band: the same choice as the forward layout.</summary>
    public static int ChooseBandPlanes(in ConvGeometry g) => DepthwiseForwardLayout.ChooseBandPlanes(g);

    /// <summary>Taps of output phase (a, b) in ascending offset order; returns how many.</summary>
    public int FillPhaseTaps(in ConvGeometry g, int a, int b, ReadOnlySpan<float> wPlane, Span<int> off, Span<float> w)
    {
        // u and v descending give ascending offsets: at stride 1 the taps form the grid the row-pair kernel takes.
        int n = 0;
        for (int u = g.KernelH - 1; u >= 0; u--)
        {
            int du = a + g.PadH - u;
            if (((du % g.StrideH) + g.StrideH) % g.StrideH != 0) continue;
            int dr = FloorDiv(du, g.StrideH);
            for (int v = g.KernelW - 1; v >= 0; v--)
            {
                int dv = b + g.PadW - v;
                if (((dv % g.StrideW) + g.StrideW) % g.StrideW != 0) continue;
                int dc = FloorDiv(dv, g.StrideW);
                off[n] = (dr + Top) * RowStride + dc + Left;
                w[n] = wPlane[u * g.KernelW + v];
                n++;
            }
        }
        return n;
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    private static int CeilDiv(int a, int b) => -FloorDiv(-a, b);
}
