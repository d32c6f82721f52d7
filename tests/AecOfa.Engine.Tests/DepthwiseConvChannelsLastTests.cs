using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

/// <summary>The channels-last depthwise path, forced on every shape (the automatic choice only takes it for some).</summary>
public class DepthwiseConvChannelsLastTests
{
    /// <summary>Channels 1/3/7 (no whole vector), 8, 9 and 33 (vector + scalar tail); maps 1x1 .. 17x31; k 1/3/5/7; strides 1/2/3.</summary>
    public static TheoryData<int, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, int, int>();
        (int H, int W)[] sizes = [(5, 9), (17, 31), (2, 4), (1, 1), (4, 7)];
        (int N, int C)[] nc = [(1, 1), (3, 3), (1, 7), (3, 33), (2, 8), (1, 9), (3, 16), (1, 33)];
        int idx = 0;
        foreach (var (h, w) in sizes)
            foreach (int k in new[] { 3, 5, 7, 1 })
                foreach (int s in new[] { 1, 2, 3 })
                    foreach (int pad in k / 2 == 0 ? new[] { 0 } : new[] { k / 2, 0 })
                    {
                        if (h + 2 * pad < k || w + 2 * pad < k) continue;
                        var (n, c) = nc[idx++ % nc.Length];
                        data.Add(n, c, h, w, k, s, pad);
                    }
        return data;
    }

    private static float[] RandomArray(int length, int seed) => DepthwiseConvTests.RandomArray(length, seed);

    private static double[] ToDouble(float[] a) => DepthwiseConvTests.ToDouble(a);

    private static void AssertClose(double[] expected, float[] actual, double tol, string what) => DepthwiseConvTests.AssertClose(expected, actual, tol, what);

    [Theory, MemberData(nameof(Cases))]
    public void AllThreeKernels_MatchFloat64Reference_AndThePlanarPath(int n, int c, int h, int w, int k, int s, int pad)
    {
        var g = ConvGeometry.Square(n, c, c, h, w, k, s, pad, c);
        var x = RandomArray(n * c * h * w, 1);
        var wt = RandomArray(c * k * k, 2);
        var gy = RandomArray(n * c * g.OutH * g.OutW, 3);
        var priorX = RandomArray(x.Length, 4);
        var priorW = RandomArray(wt.Length, 5);
        var yRef = DepthwiseConvReference.Forward(g, ToDouble(x), ToDouble(wt));
        var (gxRef, gwRef) = DepthwiseConvReference.Backward(g, ToDouble(x), ToDouble(wt), ToDouble(gy));
        for (int i = 0; i < gxRef.Length; i++) gxRef[i] += priorX[i];
        for (int i = 0; i < gwRef.Length; i++) gwRef[i] += priorW[i];

        var y = RandomArray(yRef.Length, 6); // overwritten
        DepthwiseConv.Forward(g, x, wt, y, DepthwiseConvIsa.Auto, 1, DepthwiseConvPath.ChannelsLast);
        AssertClose(yRef, y, 1e-4, "forward");
        var gx = (float[])priorX.Clone();
        var gw = (float[])priorW.Clone();
        DepthwiseConv.Backward(g, x, gy, wt, gx, gw, DepthwiseConvIsa.Auto, 1, DepthwiseConvPath.ChannelsLast);
        AssertClose(gxRef, gx, 1e-3, "input grad");
        AssertClose(gwRef, gw, 1e-3, "weight grad");

        // Same per-element FMA chains as the planar kernels: forward and input gradient agree bit for bit.
        var yPlanar = new float[y.Length];
        DepthwiseConv.Forward(g, x, wt, yPlanar, DepthwiseConvIsa.Auto, 1, DepthwiseConvPath.Planar);
        Assert.Equal(yPlanar, y);
        var gxPlanar = (float[])priorX.Clone();
        DepthwiseConv.BackwardInput(g, gy, wt, gxPlanar, DepthwiseConvIsa.Auto, 1, DepthwiseConvPath.Planar);
        Assert.Equal(gxPlanar, gx);
    }

    [Theory]
    [InlineData(3, 2, 20)]  // wide rows: 8x8 blocks straight into the padded rows
    [InlineData(3, 1, 7)]   // narrow map: whole-plane transpose, then row copies
    [InlineData(5, 2, 13)]
    public void SeparateGradientCalls_EqualTheCombinedCall_AndThreadCountChangesNoBit(int k, int s, int w)
    {
        var g = ConvGeometry.Square(3, 41, 41, 9, w, k, s, k / 2, 41);
        var x = RandomArray(3 * 41 * 9 * w, 7);
        var wt = RandomArray(41 * k * k, 8);
        var gy = RandomArray(3 * 41 * g.OutH * g.OutW, 9);
        float[]? y1 = null, gx1 = null, gw1 = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var y = new float[gy.Length];
            DepthwiseConv.Forward(g, x, wt, y, DepthwiseConvIsa.Auto, threads, DepthwiseConvPath.ChannelsLast);
            var gx = new float[x.Length];
            var gw = new float[wt.Length];
            DepthwiseConv.Backward(g, x, gy, wt, gx, gw, DepthwiseConvIsa.Auto, threads, DepthwiseConvPath.ChannelsLast);
            var gxAlone = new float[x.Length];
            var gwAlone = new float[wt.Length];
            DepthwiseConv.BackwardInput(g, gy, wt, gxAlone, DepthwiseConvIsa.Auto, threads, DepthwiseConvPath.ChannelsLast);
            DepthwiseConv.BackwardWeight(g, x, gy, gwAlone, DepthwiseConvIsa.Auto, threads, DepthwiseConvPath.ChannelsLast);
            Assert.Equal(gx, gxAlone);
            Assert.Equal(gw, gwAlone);
            if (y1 is null) { y1 = y; gx1 = gx; gw1 = gw; continue; }
            Assert.Equal(y1, y);
            Assert.Equal(gx1, gx);
            Assert.Equal(gw1, gw);
        }
    }

    [Theory]
    [InlineData(3, 33, 5, 9, 3, 2, 1)]
    [InlineData(2, 9, 2, 4, 3, 1, 1)]
    [InlineData(1, 8, 7, 7, 1, 2, 0)]   // 1x1 at stride 2: odd rows and columns get no tap at all, and must become zero
    [InlineData(3, 7, 17, 31, 5, 2, 2)]
    [InlineData(2, 16, 6, 11, 7, 3, 3)]
    public void OverwriteMode_WritesTheGradientWhateverWasInTheBuffer_OnBothPaths(int n, int c, int h, int w, int k, int s, int pad)
    {
        var g = ConvGeometry.Square(n, c, c, h, w, k, s, pad, c);
        var x = RandomArray(n * c * h * w, 12);
        var wt = RandomArray(c * k * k, 13);
        var gy = RandomArray(n * c * g.OutH * g.OutW, 14);
        var (gxRef, gwRef) = DepthwiseConvReference.Backward(g, ToDouble(x), ToDouble(wt), ToDouble(gy));
        foreach (var path in new[] { DepthwiseConvPath.Planar, DepthwiseConvPath.ChannelsLast })
            foreach (int threads in new[] { 1, 2 })
            {
                var gx = RandomArray(x.Length, 15); // stale contents: must be overwritten, not added to
                var gw = new float[wt.Length];
                DepthwiseConv.Backward(g, x, gy, wt, gx, gw, DepthwiseConvIsa.Auto, threads, path, gxAccumulate: false);
                AssertClose(gxRef, gx, 1e-3, $"input grad ({path}, {threads} threads)");
                AssertClose(gwRef, gw, 1e-3, $"weight grad ({path}, {threads} threads)");
                var gxAlone = RandomArray(x.Length, 16);
                DepthwiseConv.BackwardInput(g, gy, wt, gxAlone, DepthwiseConvIsa.Auto, threads, path, accumulate: false);
                Assert.Equal(gx, gxAlone);
            }
    }

    [Fact]
    public void AutomaticChoice_TakesChannelsLastForStridedSmallMaps_NarrowMapsAt3x3_AndTinyMapsAtAnyKernel()
    {
        ConvGeometry Dw(int c, int h, int w, int k, int s) => ConvGeometry.Square(32, c, c, h, w, k, s, k / 2, c);
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(72, 16, 25, 3, 2)));
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(240, 8, 13, 3, 2)));
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(336, 4, 7, 3, 1)));
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(48, 32, 50, 3, 2)));
        Assert.False(DepthwiseConv.UseChannelsLast(Dw(48, 64, 100, 3, 2))); // large map: planar
        Assert.False(DepthwiseConv.UseChannelsLast(Dw(72, 16, 25, 3, 1))); // stride 1, wide: planar
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(336, 4, 7, 7, 1)));   // tiny map: most 7x7 taps are padding, skipped
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(240, 2, 4, 5, 1)));
        Assert.True(DepthwiseConv.UseChannelsLast(Dw(96, 8, 13, 7, 2)));   // strided: any kernel
        Assert.False(DepthwiseConv.UseChannelsLast(Dw(96, 8, 13, 7, 1)));  // 8x13 stride 1 at 7x7: planar
        Assert.False(DepthwiseConv.UseChannelsLast(Dw(48, 16, 26, 5, 1))); // wide stride 1: planar
        Assert.False(DepthwiseConv.UseChannelsLast(Dw(7, 4, 7, 3, 2)));    // under one vector of channels
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(8, 8)]
    [InlineData(17, 33)]
    [InlineData(24, 9)]
    public unsafe void BlockTranspose_MatchesNaiveLoops_WithAndWithoutAdd(int rows, int cols)
    {
        int srcStride = cols + 3, dstStride = rows + 2;
        var src = RandomArray(rows * srcStride, 10);
        var prior = RandomArray(cols * dstStride, 11);
        foreach (bool add in new[] { false, true })
        {
            var dst = (float[])prior.Clone();
            fixed (float* ps = src, pd = dst) BlockTranspose.Transpose(ps, rows, cols, srcStride, pd, dstStride, add);
            var expected = (float[])prior.Clone();
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    expected[j * dstStride + i] = add ? expected[j * dstStride + i] + src[i * srcStride + j] : src[i * srcStride + j];
            Assert.Equal(expected, dst);
        }
    }
}
