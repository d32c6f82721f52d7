namespace AecOfa.Engine.Kernels;

/// <summary>
/// Unfolding of one image (C, H, W) into the column matrix of a convolution and back. Column layout, row-major:
/// rows (c, u, v) = c*KH*KW + u*KW + v, columns (i, j) = i*OutW + j; col[row, col] = x[c, i*SH - PH + u, j*SW - PW + v]
/// (0 outside the image). A (Cout, C*KH*KW) weight matrix times this matrix is the convolution.
/// </summary>
public static class Im2Col
{
    /// <summary>Writes (overwrites) the column matrix of channels [c0, c0 + channels) of image x.</summary>
    public static void Unfold(in ConvGeometry g, ReadOnlySpan<float> image, int c0, int channels, Span<float> col)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, hw = g.InH * g.InW;
        int row = 0;
        for (int c = c0; c < c0 + channels; c++)
        {
            var plane = image.Slice(c * hw, hw);
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, row++)
                {
                    var dst = col.Slice(row * oh * ow, oh * ow);
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.StrideH - g.PadH + u;
                        var drow = dst.Slice(i * ow, ow);
                        if ((uint)r >= (uint)g.InH) { drow.Clear(); continue; }
                        var src = plane.Slice(r * g.InW, g.InW);
                        int q0 = v - g.PadW;
                        if (g.StrideW == 1)
                        {
                            // Contiguous run: clear the out-of-image ends and copy the middle.
                            int jLo = Math.Max(0, -q0), jHi = Math.Min(ow, g.InW - q0);
                            if (jHi <= jLo) { drow.Clear(); continue; }
                            drow.Slice(0, jLo).Clear();
                            src.Slice(q0 + jLo, jHi - jLo).CopyTo(drow.Slice(jLo));
                            drow.Slice(jHi).Clear();
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                int q = j * g.StrideW + q0;
                                drow[j] = (uint)q < (uint)g.InW ? src[q] : 0f;
                            }
                        }
                    }
                }
        }
    }

    /// <summary>Adds the column matrix back into channels [c0, c0 + channels) of image gradient gx (the adjoint of Unfold).</summary>
    public static void FoldAdd(in ConvGeometry g, ReadOnlySpan<float> col, int c0, int channels, Span<float> image)
    {
        int oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, hw = g.InH * g.InW;
        int row = 0;
        for (int c = c0; c < c0 + channels; c++)
        {
            var plane = image.Slice(c * hw, hw);
            for (int u = 0; u < kh; u++)
                for (int v = 0; v < kw; v++, row++)
                {
                    var srcRows = col.Slice(row * oh * ow, oh * ow);
                    for (int i = 0; i < oh; i++)
                    {
                        int r = i * g.StrideH - g.PadH + u;
                        if ((uint)r >= (uint)g.InH) continue;
                        var dst = plane.Slice(r * g.InW, g.InW);
                        var srow = srcRows.Slice(i * ow, ow);
                        int q0 = v - g.PadW;
                        if (g.StrideW == 1)
                        {
                            int jLo = Math.Max(0, -q0), jHi = Math.Min(ow, g.InW - q0);
                            if (jHi <= jLo) continue;
                            var d = dst.Slice(q0 + jLo, jHi - jLo);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, srow.Slice(jLo, jHi - jLo), d);
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                int q = j * g.StrideW + q0;
                                if ((uint)q < (uint)g.InW) dst[q] += srow[j];
                            }
                        }
                    }
                }
        }
    }
}
