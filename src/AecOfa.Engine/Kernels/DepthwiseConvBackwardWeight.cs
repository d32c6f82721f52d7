using System.Buffers;

namespace AecOfa.Engine.Kernels;

public static unsafe partial class DepthwiseConv
{
    /// <summary>
    /// Weight gradient for channels [c0, c1): per channel, gw[t] += sum over batch and outputs of gy * x(tap t).
    /// Uses the forward band layout for x and a copy of gy at the same row stride with zeros in every garbage
    /// column, so whole vectors multiply through. Per-lane partial sums run over the batch bands in order and are
    /// reduced once per channel in a fixed order: the result depends only on the shape and the ISA, never on how
    /// the channels are split over threads. A channel's reduction is never split.
    /// </summary>
    internal static void BackwardWeightChannels(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw,
        int c0, int c1, DepthwiseConvIsa isa)
    {
        isa = isa.Resolve();
        int band = DepthwiseForwardLayout.ChooseBandPlanes(g);
        var lay = new DepthwiseForwardLayout(g, band);
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
                for (int n = 0; n < nb; n += band)
                {
                    int count = Math.Min(band, nb - n);
                    for (int s = 0; s < band; s++)
                    {
                        int col = s * lay.PlanePitch;
                        if (s < count)
                        {
                            int plane = (n + s) * ch + c;
                            lay.Scatter(g, x.Slice(plane * planeIn, planeIn), buf, s, rowOff, colOff);
                            var gyp = gy.Slice(plane * planeOut, planeOut);
                            for (int i = 0; i < oh; i++) DepthwiseConvRowCopy.Copy(gyp.Slice(i * ow), gyFlat.Slice(i * lay.RowStride + col), ow);
                        }
                        else // an unused slot of the last band must not contribute stale gy
                        {
                            for (int i = 0; i < oh; i++) gyFlat.Slice(i * lay.RowStride + col, ow).Clear();
                        }
                    }
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
