using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

/// <summary>
/// The row-pair grid kernel against the scalar flat correlation, bit for bit, on the columns it is asked for: every
/// block width (64-column blocks and a last block of 16, 32 or 48), odd and even row counts, and column counts that
/// end inside a vector, on a vector boundary or at the row stride. (Vector512 is emulated where the CPU lacks it: the
/// FMA chains are the same.)
/// </summary>
public class DepthwiseConvRowPairsTests
{
    [Theory]
    [InlineData(3, 3, 20)]
    [InlineData(7, 7, 61)]
    [InlineData(5, 5, 131)]
    [InlineData(2, 3, 148)]
    public void Columns_up_to_cols_match_the_scalar_correlation_bitwise(int kh, int kw, int rowStride)
    {
        var w = DepthwiseConvTests.RandomArray(kh * kw, seed: kh * 10 + kw);
        var off = new int[kh * kw];
        for (int t = 0; t < off.Length; t++) off[t] = t / kw * rowStride + t % kw;
        Assert.True(DepthwiseConvFlatKernels.IsGrid(off, kh, kw, rowStride));
        foreach (int rows in new[] { 1, 2, 3, 8, 9 })
        {
            var src = DepthwiseConvTests.RandomArray(off[^1] + (rows + 1) * rowStride + 64 + 16, seed: rows + rowStride);
            var expected = new float[rows * rowStride + 16];
            DepthwiseConvFlatKernels.Correlate(DepthwiseConvIsa.Scalar, src, expected, rows * rowStride, off, w);
            foreach (int cols in new[] { 1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 129, rowStride })
            {
                if (cols > rowStride) continue;
                var dst = new float[(rows + 1) * rowStride + 64];
                Array.Fill(dst, float.NaN);
                DepthwiseConvFlatKernels.CorrelateGridRowPairsV512(src, dst, rows, rowStride, cols, off, w, kh, kw);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                    {
                        int o = r * rowStride + c;
                        if (BitConverter.SingleToInt32Bits(dst[o]) != BitConverter.SingleToInt32Bits(expected[o]))
                            Assert.Fail($"rows {rows}, cols {cols}, stride {rowStride}, k {kh}x{kw}: row {r} col {c} is {dst[o]}, expected {expected[o]}");
                    }
            }
        }
    }

    [Fact]
    public void Cols_outside_the_row_are_refused()
    {
        var off = new[] { 0, 1, 10, 11 };
        var w = new float[4];
        var src = new float[256];
        var dst = new float[256];
        Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvFlatKernels.CorrelateGridRowPairsV512(src, dst, 2, 10, 0, off, w, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DepthwiseConvFlatKernels.CorrelateGridRowPairsV512(src, dst, 2, 10, 11, off, w, 2, 2));
    }
}
