using System.Buffers;

namespace AecOfa.Engine.Kernels;

public static partial class DepthwiseConv
{
    /// <summary>
    /// Weight gradient for channels [c0, c1): per channel, gw[t] += sum over batch and outputs of gy * x(tap t).
    /// Uses the forward layout for x and a copy of gy at the same row stride with zeros in the garbage columns, so
    /// whole vectors multiply through. Per-lane partial sums run over the batch in order and are reduced once per
    /// channel in a fixed order: the result depends only on the shape and ISA, never on how channels are split.
    /// </summary>
    internal static void BackwardWeightChannels(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw,
        int c0, int c1, DepthwiseConvIsa isa)
    {
        isa = isa.Resolve();
        var lay = new DepthwiseForwardLayout(g);
        int taps = g.KernelH * g.KernelW, nb = g.Batch, ch = g.InChannels;
        int planeIn = g.InH * g.InW, oh = g.OutH, ow = g.OutW, planeOut = oh * ow;
        int accLength = taps * DepthwiseConvFlatKernels.AccStride;
        float[] fArr = ArrayPool<float>.Shared.Rent(lay.BufferLength + lay.FlatLength + accLength);
        int[] iArr = ArrayPool<int>.Shared.Rent(taps + g.InH + g.InW);
        try
        {
            var buf = fArr.AsSpan(0, lay.BufferLength);
            var gyFlat = fArr.AsSpan(lay.BufferLength, lay.FlatLength);
            var acc = fArr.AsSpan(lay.BufferLength + lay.FlatLength, accLength);
            var off = iArr.AsSpan(0, taps);
            var rowOff = iArr.AsSpan(taps, g.InH);
            var colOff = iArr.AsSpan(taps + g.InH, g.InW);
            buf.Clear();
            gyFlat.Clear(); // garbage columns and the tail stay zero
            lay.FillTapOffsets(g, off);
            lay.FillRowOffsets(g, rowOff);
            lay.FillColOffsets(g, colOff);
            for (int c = c0; c < c1; c++)
            {
                acc.Clear();
                for (int n = 0; n < nb; n++)
                {
                    int plane = n * ch + c;
                    DepthwiseForwardLayout.Scatter(g, x.Slice(plane * planeIn, planeIn), buf, rowOff, colOff);
                    var gyp = gy.Slice(plane * planeOut, planeOut);
                    for (int i = 0; i < oh; i++) gyp.Slice(i * ow, ow).CopyTo(gyFlat.Slice(i * lay.RowStride, ow));
                    DepthwiseConvFlatKernels.AccumulateTaps(isa, buf, gyFlat, lay.OutLength, off, acc);
                }
                var gwc = gw.Slice(c * taps, taps);
                for (int t = 0; t < taps; t++) gwc[t] += DepthwiseConvFlatKernels.ReduceTap(acc, t);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(iArr);
            ArrayPool<float>.Shared.Return(fArr);
        }
    }
}
