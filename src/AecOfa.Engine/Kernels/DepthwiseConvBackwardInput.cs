using System.Buffers;

namespace AecOfa.Engine.Kernels;

public static unsafe partial class DepthwiseConv
{
    /// <summary>
    /// Input gradient (transposed convolution) over planes [p0, p1) in channel-major order (p = c * Batch + n).
    /// Consecutive gy planes of a channel are copied side by side into a zero-padded flat buffer; each output phase
    /// of gx is a stride-1 correlation with that phase's taps (<see cref="DepthwiseBackwardInputLayout"/>), added into
    /// gx. Each element is one FMA chain in tap order, whatever the band or range split. Adds into gx, or with
    /// <paramref name="accumulate"/> false overwrites it: each band's gx planes are cleared just before their phases are
    /// added, while they are about to be in cache anyway (no separate clearing pass over the whole gradient).
    /// </summary>
    internal static void BackwardInputPlanes(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx,
        int p0, int p1, DepthwiseConvIsa isa, bool accumulate = true)
    {
        isa = isa.Resolve();
        int band = DepthwiseBackwardInputLayout.ChooseBandPlanes(g);
        var lay = new DepthwiseBackwardInputLayout(g, band);
        int taps = g.KernelH * g.KernelW, nb = g.Batch, ch = g.InChannels;
        int sh = g.StrideH, sw = g.StrideW, phases = sh * sw;
        int ih = g.InH, iw = g.InW, planeIn = ih * iw, oh = g.OutH, ow = g.OutW, planeOut = oh * ow;
        int dstLength = lay.FlatLength + lay.RowStride + 80; // row-pair blocks overrun by up to a row
        float[] fArr = ArrayPool<float>.Shared.Rent(lay.BufferLength + 2 * dstLength + phases * taps);
        int[] iArr = ArrayPool<int>.Shared.Rent(phases * (taps + 1));
        try
        {
            var buf = fArr.AsSpan(0, lay.BufferLength);
            var dst = fArr.AsSpan(lay.BufferLength, dstLength);
            var dstOdd = fArr.AsSpan(lay.BufferLength + dstLength, dstLength);
            var wts = fArr.AsSpan(lay.BufferLength + 2 * dstLength, phases * taps);
            var offs = iArr.AsSpan(0, phases * taps);
            var counts = iArr.AsSpan(phases * taps, phases);
            buf.Clear();
            int current = -1;
            for (int p = p0; p < p1;)
            {
                int c = p / nb, n = p % nb;
                int count = Math.Min(band, Math.Min(nb - n, p1 - p));
                if (c != current)
                {
                    var wc = w.Slice(c * taps, taps);
                    for (int a = 0; a < sh; a++)
                        for (int b = 0; b < sw; b++)
                        {
                            int ph = a * sw + b;
                            counts[ph] = lay.FillPhaseTaps(g, a, b, wc, offs.Slice(ph * taps, taps), wts.Slice(ph * taps, taps));
                        }
                    current = c;
                }
                PrefetchNextBand(p + count, p1, nb, ch, band, gy, planeOut, gx, planeIn);
                if (!accumulate)
                    for (int s = 0; s < count; s++) gx.Slice(((n + s) * ch + c) * planeIn, planeIn).Clear();
                for (int s = 0; s < count; s++)
                {
                    var gyp = gy.Slice(((n + s) * ch + c) * planeOut, planeOut);
                    int col = s * lay.PlanePitch + lay.Left;
                    for (int i = 0; i < oh; i++) DepthwiseConvRowCopy.Copy(gyp.Slice(i * ow), buf.Slice((i + lay.Top) * lay.RowStride + col), ow);
                }
                for (int a = 0; a < sh; a++)
                {
                    int hq = (ih - a + sh - 1) / sh;
                    if (hq <= 0) continue;
                    if (sw == 2 && iw >= 2 && counts[a * 2] > 0 && counts[a * 2 + 1] > 0)
                    {
                        // Both column phases of this row phase, merged back into gx rows with one interleaving add.
                        DepthwiseConvFlatKernels.Correlate(isa, buf, dst, hq * lay.RowStride,
                            offs.Slice(a * 2 * taps, counts[a * 2]), wts.Slice(a * 2 * taps, counts[a * 2]));
                        DepthwiseConvFlatKernels.Correlate(isa, buf, dstOdd, hq * lay.RowStride,
                            offs.Slice((a * 2 + 1) * taps, counts[a * 2 + 1]), wts.Slice((a * 2 + 1) * taps, counts[a * 2 + 1]));
                        for (int s = 0; s < count; s++)
                        {
                            var gxp = gx.Slice(((n + s) * ch + c) * planeIn, planeIn);
                            int col = s * lay.PlanePitch;
                            for (int r = 0; r < hq; r++)
                                DepthwiseConvRowCopy.Interleave2Add(dst.Slice(r * lay.RowStride + col), dstOdd.Slice(r * lay.RowStride + col),
                                    gxp.Slice((r * sh + a) * iw, iw), iw);
                        }
                        continue;
                    }
                    for (int b = 0; b < sw; b++)
                    {
                        int ph = a * sw + b, wq = (iw - b + sw - 1) / sw;
                        if (counts[ph] == 0 || hq <= 0 || wq <= 0) continue;
                        var phOff = offs.Slice(ph * taps, counts[ph]);
                        if (phases == 1 && isa == DepthwiseConvIsa.Vector512 && hq >= 2
                            && DepthwiseConvFlatKernels.IsGrid(phOff, g.KernelH, g.KernelW, lay.RowStride))
                            DepthwiseConvFlatKernels.CorrelateGridRowPairsV512(buf, dst, hq, lay.RowStride, (count - 1) * lay.PlanePitch + wq, phOff,
                                wts.Slice(ph * taps, counts[ph]), g.KernelH, g.KernelW);
                        else
                            DepthwiseConvFlatKernels.Correlate(isa, buf, dst, hq * lay.RowStride, phOff, wts.Slice(ph * taps, counts[ph]));
                        for (int s = 0; s < count; s++)
                        {
                            var gxp = gx.Slice(((n + s) * ch + c) * planeIn, planeIn);
                            int col = s * lay.PlanePitch;
                            for (int r = 0; r < hq; r++)
                            {
                                var src = dst.Slice(r * lay.RowStride + col, wq);
                                var row = gxp.Slice((r * sh + a) * iw, iw);
                                if (sw == 1) DepthwiseConvRowCopy.Add(src, row, wq);
                                else for (int q = 0; q < wq; q++) row[q * sw + b] += src[q];
                            }
                        }
                    }
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
}
