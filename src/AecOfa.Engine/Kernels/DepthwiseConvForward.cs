using System.Buffers;

namespace AecOfa.Engine.Kernels;

public static partial class DepthwiseConv
{
    /// <summary>
    /// Forward over planes [p0, p1) in channel-major order (plane p = c * Batch + n, so a range shares its weights).
    /// Each plane is scattered into a zero-padded phase buffer, correlated with the channel's taps over the flat
    /// layout (<see cref="DepthwiseForwardLayout"/>), and the real output columns are copied out. Overwrites y.
    /// </summary>
    internal static void ForwardPlanes(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        int p0, int p1, DepthwiseConvIsa isa)
    {
        isa = isa.Resolve();
        var lay = new DepthwiseForwardLayout(g);
        int taps = g.KernelH * g.KernelW, nb = g.Batch, ch = g.InChannels;
        int planeIn = g.InH * g.InW, oh = g.OutH, ow = g.OutW, planeOut = oh * ow;
        float[] fArr = ArrayPool<float>.Shared.Rent(lay.BufferLength + lay.FlatLength + taps);
        int[] iArr = ArrayPool<int>.Shared.Rent(taps + g.InH + g.InW);
        try
        {
            var buf = fArr.AsSpan(0, lay.BufferLength);
            var dst = fArr.AsSpan(lay.BufferLength, lay.FlatLength);
            var wt = fArr.AsSpan(lay.BufferLength + lay.FlatLength, taps);
            var off = iArr.AsSpan(0, taps);
            var rowOff = iArr.AsSpan(taps, g.InH);
            var colOff = iArr.AsSpan(taps + g.InH, g.InW);
            buf.Clear(); // padding cells stay zero: every plane writes the same interior cells
            lay.FillTapOffsets(g, off);
            lay.FillRowOffsets(g, rowOff);
            lay.FillColOffsets(g, colOff);
            int current = -1;
            for (int p = p0; p < p1; p++)
            {
                int c = p / nb, n = p % nb;
                if (c != current) { w.Slice(c * taps, taps).CopyTo(wt); current = c; }
                int plane = n * ch + c;
                DepthwiseForwardLayout.Scatter(g, x.Slice(plane * planeIn, planeIn), buf, rowOff, colOff);
                DepthwiseConvFlatKernels.Correlate(isa, buf, dst, lay.OutLength, off, wt);
                var yp = y.Slice(plane * planeOut, planeOut);
                for (int i = 0; i < oh; i++) dst.Slice(i * lay.RowStride, ow).CopyTo(yp.Slice(i * ow, ow));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(iArr);
            ArrayPool<float>.Shared.Return(fArr);
        }
    }
}
