using System.Buffers;

namespace AecOfa.Engine.Kernels;

public static unsafe partial class DepthwiseConv
{
    /// <summary>
    /// Forward over planes [p0, p1) in channel-major order (plane p = c * Batch + n, so a range shares weights).
    /// Consecutive planes of a channel are scattered side by side into a zero-padded phase buffer (a band, see
    /// <see cref="DepthwiseForwardLayout"/>), correlated with the channel's taps over the flat layout, and the real
    /// output columns are copied out. Each output is one FMA chain in tap order, whatever the band or range split.
    /// Overwrites y.
    /// </summary>
    internal static void ForwardPlanes(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        int p0, int p1, DepthwiseConvIsa isa)
    {
        isa = isa.Resolve();
        int band = DepthwiseForwardLayout.ChooseBandPlanes(g);
        var lay = new DepthwiseForwardLayout(g, band);
        int taps = g.KernelH * g.KernelW, nb = g.Batch, ch = g.InChannels;
        int planeIn = g.InH * g.InW, oh = g.OutH, ow = g.OutW, planeOut = oh * ow;
        int dstLength = lay.FlatLength + lay.RowStride + 80; // row-pair blocks overrun by up to a row
        float[] fArr = ArrayPool<float>.Shared.Rent(lay.BufferLength + dstLength + taps);
        int[] iArr = ArrayPool<int>.Shared.Rent(taps + g.InH + g.InW);
        try
        {
            var buf = fArr.AsSpan(0, lay.BufferLength);
            var dst = fArr.AsSpan(lay.BufferLength, dstLength);
            var wt = fArr.AsSpan(lay.BufferLength + dstLength, taps);
            var off = iArr.AsSpan(0, taps);
            var rowOff = iArr.AsSpan(taps, g.InH);
            var colOff = iArr.AsSpan(taps + g.InH, g.InW);
            buf.Clear(); // padding cells stay zero: planes only ever write the same data cells
            lay.FillTapOffsets(g, off);
            lay.FillRowOffsets(g, rowOff);
            lay.FillColOffsets(g, colOff);
            bool rowPairs = isa == DepthwiseConvIsa.Vector512 && oh >= 2
                && DepthwiseConvFlatKernels.IsGrid(off, g.KernelH, g.KernelW, lay.RowStride);
            int current = -1;
            for (int p = p0; p < p1;)
            {
                int c = p / nb, n = p % nb;
                int count = Math.Min(band, Math.Min(nb - n, p1 - p));
                if (c != current) { w.Slice(c * taps, taps).CopyTo(wt); current = c; }
                PrefetchNextBand(p + count, p1, nb, ch, band, x, planeIn, y, planeOut);
                for (int s = 0; s < count; s++)
                    lay.Scatter(g, x.Slice(((n + s) * ch + c) * planeIn, planeIn), buf, s, rowOff, colOff);
                // A partly filled band computes stale slots as garbage; valid outputs never read them.
                if (rowPairs) // only the columns up to the band's last valid output
                    DepthwiseConvFlatKernels.CorrelateGridRowPairsV512(buf, dst, oh, lay.RowStride, (count - 1) * lay.PlanePitch + ow, off, wt, g.KernelH, g.KernelW);
                else DepthwiseConvFlatKernels.Correlate(isa, buf, dst, lay.OutLength, off, wt);
                for (int s = 0; s < count; s++)
                {
                    var yp = y.Slice(((n + s) * ch + c) * planeOut, planeOut);
                    int col = s * lay.PlanePitch;
                    for (int i = 0; i < oh; i++) DepthwiseConvRowCopy.Copy(dst.Slice(i * lay.RowStride + col), yp.Slice(i * ow), ow);
                }
                p += count;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(iArr);
            ArrayPool<float>.Shared.Return(fArr);
        }
    }

    /// <summary>Asks for the input and output planes of the band after the one at hand (see <see cref="PlanePrefetch"/>).</summary>
    private static void PrefetchNextBand(int next, int p1, int nb, int ch, int band, ReadOnlySpan<float> src, int srcPlane, ReadOnlySpan<float> dst, int dstPlane)
    {
        if (next >= p1) return;
        int c = next / nb, n = next % nb, count = Math.Min(band, Math.Min(nb - n, p1 - next));
        PlanePrefetch.Planes(src, (long)n * ch + c, ch, count, srcPlane);
        PlanePrefetch.Planes(dst, (long)n * ch + c, ch, count, dstPlane);
    }
}
