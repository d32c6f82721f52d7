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
        int accLength = 2 * taps * DepthwiseConvFlatKernels.AccStride; // paired taps by tap index, then single taps
        int gyLength = lay.RowStride + lay.FlatLength + lay.RowStride + 32;   // a zero row before and after gy
        float[] fArr = ArrayPool<float>.Shared.Rent(lay.BufferLength + gyLength + accLength);
        int[] iArr = ArrayPool<int>.Shared.Rent(6 * taps + g.InH + g.InW);
        try
        {
            var buf = fArr.AsSpan(0, lay.BufferLength);
            var gyBuf = fArr.AsSpan(lay.BufferLength, gyLength);
            var gyFlat = gyBuf.Slice(lay.RowStride, lay.FlatLength);
            var acc = fArr.AsSpan(lay.BufferLength + gyLength, accLength);
            var accPairs = acc.Slice(0, taps * DepthwiseConvFlatKernels.AccStride);
            var accSingles = acc.Slice(taps * DepthwiseConvFlatKernels.AccStride);
            var off = iArr.AsSpan(0, taps);
            var rowOff = iArr.AsSpan(taps, g.InH);
            var colOff = iArr.AsSpan(taps + g.InH, g.InW);
            var pairOff = iArr.AsSpan(taps + g.InH + g.InW, taps);
            var pairA = iArr.AsSpan(2 * taps + g.InH + g.InW, taps);
            var pairB = iArr.AsSpan(3 * taps + g.InH + g.InW, taps);
            var singleOff = iArr.AsSpan(4 * taps + g.InH + g.InW, taps);
            var singleTap = iArr.AsSpan(5 * taps + g.InH + g.InW, taps);
            buf.Clear();
            gyBuf.Clear(); // the zero rows, garbage columns and the tail stay zero
            lay.FillTapOffsets(g, off);
            lay.FillRowOffsets(g, rowOff);
            lay.FillColOffsets(g, colOff);
            // Pair each tap with the tap one phase row below it (offset + RowStride); the Vector512 path reads x
            // once for both. Other paths, and taps without a partner, go through AccumulateTaps.
            bool usePairs = isa == DepthwiseConvIsa.Vector512;
            int pairs = 0, singles = 0;
            for (int t = 0; t < taps; t++)
            {
                int partner = -1;
                if (usePairs && !IsPaired(pairA, pairB, pairs, t))
                    for (int t2 = t + 1; t2 < taps; t2++)
                        if (off[t2] == off[t] + lay.RowStride && !IsPaired(pairA, pairB, pairs, t2)) { partner = t2; break; }
                if (partner >= 0) { pairOff[pairs] = off[t]; pairA[pairs] = t; pairB[pairs] = partner; pairs++; }
            }
            int rowPairs = pairs;
            // Taps left without a partner below (the last kernel row) pair with their right neighbour (shift 1).
            for (int t = 0; t < taps; t++)
            {
                if (IsPaired(pairA, pairB, pairs, t)) continue;
                int partner = -1;
                if (usePairs && lay.RowStride > 1)
                    for (int t2 = t + 1; t2 < taps; t2++)
                        if (off[t2] == off[t] + 1 && !IsPaired(pairA, pairB, pairs, t2)) { partner = t2; break; }
                if (partner >= 0) { pairOff[pairs] = off[t]; pairA[pairs] = t; pairB[pairs] = partner; pairs++; }
                else { singleOff[singles] = off[t]; singleTap[singles] = t; singles++; }
            }
            for (int c = c0; c < c1; c++)
            {
                acc.Clear();
                for (int n = 0; n < nb; n += band)
                {
                    int count = Math.Min(band, nb - n);
                    // Bands in (channel, clip) plane order, as in the forward: the next band starts at plane c * nb + n + count.
                    PrefetchNextBand(c * nb + n + count, c1 * nb, nb, ch, band, x, planeIn, gy, planeOut);
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
                    if (rowPairs > 0)
                        DepthwiseConvFlatKernels.AccumulateTapPairsV512(buf, gyBuf, lay.RowStride, lay.RowStride, lay.OutLength,
                            pairOff.Slice(0, rowPairs), pairA.Slice(0, rowPairs), pairB.Slice(0, rowPairs), accPairs);
                    if (pairs > rowPairs)
                        DepthwiseConvFlatKernels.AccumulateTapPairsV512(buf, gyBuf, lay.RowStride, 1, lay.OutLength,
                            pairOff[rowPairs..pairs], pairA[rowPairs..pairs], pairB[rowPairs..pairs], accPairs);
                    if (singles > 0)
                        DepthwiseConvFlatKernels.AccumulateTaps(isa, buf, gyFlat, lay.OutLength, singleOff.Slice(0, singles), accSingles);
                }
                var gwc = gw.Slice(c * taps, taps);
                for (int p = 0; p < pairs; p++)
                {
                    gwc[pairA[p]] += DepthwiseConvFlatKernels.ReduceTap(accPairs, pairA[p]);
                    gwc[pairB[p]] += DepthwiseConvFlatKernels.ReduceTap(accPairs, pairB[p]);
                }
                for (int s = 0; s < singles; s++) gwc[singleTap[s]] += DepthwiseConvFlatKernels.ReduceTap(accSingles, s);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(iArr);
            ArrayPool<float>.Shared.Return(fArr);
        }
    }

    private static bool IsPaired(ReadOnlySpan<int> pairA, ReadOnlySpan<int> pairB, int pairs, int tap)
    {
        for (int p = 0; p < pairs; p++) if (pairA[p] == tap || pairB[p] == tap) return true;
        return false;
    }
}
