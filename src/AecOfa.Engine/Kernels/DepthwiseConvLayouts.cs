namespace AecOfa.Engine.Kernels;

/// <summary>
/// Flat layout of one input plane for the forward and weight-gradient kernels. The plane is zero-padded and split
/// into StrideH x StrideW phases (phase (a, b) holds padded rows a, a+s, ... and columns b, b+s, ...), all with
/// the same row stride, so that a strided convolution becomes a sum of stride-1 correlations: output (i, j) sits at
/// flat index o = i * RowStride + j and tap (u, v) reads phase (u % sH, v % sW) at o + (u / sH) * RowStride + v / sW.
/// </summary>
internal readonly struct DepthwiseForwardLayout
{
    public readonly int RowStride;    // columns of one phase image (>= OutW + (KernelW - 1) / StrideW)
    public readonly int PhaseRows;
    public readonly int PhaseSize;    // PhaseRows * RowStride
    public readonly int OutLength;    // OutH * RowStride: flat outputs incl. garbage columns
    public readonly int FlatLength;   // OutLength rounded up to 16 (widest vector)
    public readonly int BufferLength; // input buffer incl. slack for garbage lanes

    public DepthwiseForwardLayout(in ConvGeometry g)
    {
        int sh = g.StrideH, sw = g.StrideW;
        RowStride = (g.InW + 2 * g.PadW + sw - 1) / sw;
        PhaseRows = (g.InH + 2 * g.PadH + sh - 1) / sh;
        PhaseSize = PhaseRows * RowStride;
        OutLength = g.OutH * RowStride;
        FlatLength = (OutLength + 15) & ~15;
        int maxOff = (sh * sw - 1) * PhaseSize + (g.KernelH - 1) / sh * RowStride + (g.KernelW - 1) / sw;
        BufferLength = Math.Max(sh * sw * PhaseSize, maxOff + FlatLength) + 16;
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

    /// <summary>Where input column q lands within a row (its phase and phase column), for each q.</summary>
    public void FillColOffsets(in ConvGeometry g, Span<int> colOff)
    {
        for (int q = 0; q < g.InW; q++)
        {
            int pc = q + g.PadW;
            colOff[q] = (pc % g.StrideW) * PhaseSize + pc / g.StrideW;
        }
    }

    /// <summary>Scatters one input plane into the (pre-zeroed) buffer; padding cells are never written.</summary>
    public static void Scatter(in ConvGeometry g, ReadOnlySpan<float> plane, Span<float> buf, ReadOnlySpan<int> rowOff, ReadOnlySpan<int> colOff)
    {
        int w = g.InW;
        if (g.StrideW == 1)
        {
            int c0 = colOff[0];
            for (int r = 0; r < g.InH; r++) plane.Slice(r * w, w).CopyTo(buf.Slice(rowOff[r] + c0, w));
            return;
        }
        for (int r = 0; r < g.InH; r++)
        {
            var src = plane.Slice(r * w, w);
            var dst = buf.Slice(rowOff[r]);
            for (int q = 0; q < src.Length; q++) dst[colOff[q]] = src[q];
        }
    }
}

/// <summary>
/// Flat layout of one output-gradient plane for the input-gradient kernel (a transposed convolution). The input
/// gradient is split into StrideH x StrideW output phases (rows a, a+s, ...; columns b, b+s, ...); phase (a, b)
/// receives only the taps u = a + PadH (mod sH), v = b + PadW (mod sW), and for those it is a stride-1 correlation of
/// the zero-padded gy: gx[s*r' + a, s*q' + b] += sum w[u, v] * gy[r' + (a + PadH - u) / sH, q' + (b + PadW - v) / sW].
/// </summary>
internal readonly struct DepthwiseBackwardInputLayout
{
    public readonly int Top, Left;     // zero rows/columns before gy
    public readonly int RowStride;
    public readonly int PhaseRowsMax;  // ceil(InH / StrideH)
    public readonly int FlatLength;    // PhaseRowsMax * RowStride rounded up to 16
    public readonly int BufferLength;

    public DepthwiseBackwardInputLayout(in ConvGeometry g)
    {
        int sh = g.StrideH, sw = g.StrideW;
        Top = (g.KernelH - 1) / sh + 1;
        Left = (g.KernelW - 1) / sw + 1;
        PhaseRowsMax = (g.InH + sh - 1) / sh;
        int phaseColsMax = (g.InW + sw - 1) / sw;
        int maxDr = (sh - 1 + g.PadH) / sh, maxDc = (sw - 1 + g.PadW) / sw;
        // Wide enough that a valid output never reads a wrapped-around gy column (beyond OutW is zero padding).
        RowStride = Left + Math.Max(g.OutW, phaseColsMax + maxDc) + 1;
        int rows = Top + Math.Max(g.OutH, PhaseRowsMax + maxDr) + 1;
        FlatLength = (PhaseRowsMax * RowStride + 15) & ~15;
        int maxOff = (Top + maxDr) * RowStride + Left + maxDc;
        BufferLength = Math.Max(rows * RowStride, maxOff + FlatLength) + 16;
    }

    /// <summary>Taps of output phase (a, b) in row-major tap order; returns how many.</summary>
    public int FillPhaseTaps(in ConvGeometry g, int a, int b, ReadOnlySpan<float> wPlane, Span<int> off, Span<float> w)
    {
        int n = 0;
        for (int u = 0; u < g.KernelH; u++)
        {
            int du = a + g.PadH - u;
            if (((du % g.StrideH) + g.StrideH) % g.StrideH != 0) continue;
            int dr = FloorDiv(du, g.StrideH);
            for (int v = 0; v < g.KernelW; v++)
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
}
