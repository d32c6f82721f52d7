using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

public class DepthwiseConvTests
{
    private static readonly DepthwiseConvIsa[] Isas =
        [DepthwiseConvIsa.Auto, DepthwiseConvIsa.Vector512, DepthwiseConvIsa.Vector256, DepthwiseConvIsa.Scalar];

    /// <summary>Odd shapes: sizes x kernels x strides x paddings, with batch/channels rotating over (1|3) x (1|3|7|33).</summary>
    public static TheoryData<int, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, int, int>();
        (int H, int W)[] sizes = [(5, 9), (17, 31), (2, 4), (1, 1)];
        int[] kernels = [3, 5, 7, 1];
        (int N, int C)[] nc = [(1, 1), (3, 3), (1, 7), (3, 33), (3, 1), (1, 3), (3, 7), (1, 33)];
        int idx = 0;
        foreach (var (h, w) in sizes)
            foreach (int k in kernels)
                foreach (int s in new[] { 1, 2 })
                    foreach (int pad in k / 2 == 0 ? new[] { 0 } : new[] { k / 2, 0 })
                    {
                        if (h + 2 * pad < k || w + 2 * pad < k) continue;       // kernel does not fit
                        var (n, c) = nc[idx++ % nc.Length];
                        data.Add(n, c, h, w, k, s, pad);
                    }
        return data;
    }

    private static ConvGeometry Geo(int n, int c, int h, int w, int k, int s, int pad) => ConvGeometry.Square(n, c, c, h, w, k, s, pad, c);

    internal static float[] RandomArray(int length, int seed)
    {
        var a = new float[length];
        SeededRandom.FillNormal(SeededRandom.Create(seed), a, 0f, 1f);
        return a;
    }

    internal static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    internal static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            // NaN compares false with everything: reject it explicitly or a kernel writing NaN would pass.
            if (!double.IsFinite(expected[i])) Assert.Fail($"{what}: expected value at {i} is {expected[i]} (not finite)");
            if (!float.IsFinite(actual[i])) Assert.Fail($"{what}: actual value at {i} is {actual[i]} (not finite)");
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            double e = Math.Abs(expected[i] - actual[i]);
            if (e > maxErr) { maxErr = e; worst = i; }
        }
        double rel = maxErr / Math.Max(maxRef, 1e-30);
        Assert.True(rel < tol, $"{what}: relative error {rel:E2} at {worst} (expected {(worst >= 0 ? expected[worst] : 0)}, got {(worst >= 0 ? actual[worst] : 0)})");
    }

    [Theory, MemberData(nameof(Cases))]
    public void Forward_MatchesFloat64Reference_OnEveryPath(int n, int c, int h, int w, int k, int s, int pad)
    {
        var g = Geo(n, c, h, w, k, s, pad);
        var x = RandomArray(n * c * h * w, 1);
        var wt = RandomArray(c * k * k, 2);
        var expected = DepthwiseConvReference.Forward(g, ToDouble(x), ToDouble(wt));
        float[]? first = null;
        foreach (var isa in Isas)
        {
            var y = RandomArray(expected.Length, 3); // overwritten
            DepthwiseConv.Forward(g, x, wt, y, isa);
            AssertClose(expected, y, 1e-4, $"forward {isa}");
            // Every path runs the same FMA chain per output, in tap order: bitwise identical.
            if (first is null) first = y; else Assert.Equal(first, y);
        }
        var simple = new float[expected.Length];
        DepthwiseConv.ForwardSimple(g, x, wt, simple);
        AssertClose(expected, simple, 1e-4, "forward simple");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardInput_AddsFloat64Reference_OnEveryPath(int n, int c, int h, int w, int k, int s, int pad)
    {
        var g = Geo(n, c, h, w, k, s, pad);
        var x = RandomArray(n * c * h * w, 4);
        var wt = RandomArray(c * k * k, 5);
        var gy = RandomArray(n * c * g.OutH * g.OutW, 6);
        var prior = RandomArray(x.Length, 7);
        var (gxRef, _) = DepthwiseConvReference.Backward(g, ToDouble(x), ToDouble(wt), ToDouble(gy));
        var expected = new double[gxRef.Length];
        for (int i = 0; i < expected.Length; i++) expected[i] = gxRef[i] + prior[i];
        float[]? first = null;
        foreach (var isa in Isas)
        {
            var gx = (float[])prior.Clone();
            DepthwiseConv.BackwardInput(g, gy, wt, gx, isa);
            AssertClose(expected, gx, 1e-3, $"input grad {isa}");
            if (first is null) first = gx; else Assert.Equal(first, gx);
        }
        var simple = (float[])prior.Clone();
        DepthwiseConv.BackwardInputSimple(g, gy, wt, simple);
        AssertClose(expected, simple, 1e-3, "input grad simple");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardWeight_AddsFloat64Reference_OnEveryPath(int n, int c, int h, int w, int k, int s, int pad)
    {
        var g = Geo(n, c, h, w, k, s, pad);
        var x = RandomArray(n * c * h * w, 8);
        var wt = RandomArray(c * k * k, 9);
        var gy = RandomArray(n * c * g.OutH * g.OutW, 10);
        var prior = RandomArray(wt.Length, 11);
        var (_, gwRef) = DepthwiseConvReference.Backward(g, ToDouble(x), ToDouble(wt), ToDouble(gy));
        var expected = new double[gwRef.Length];
        for (int i = 0; i < expected.Length; i++) expected[i] = gwRef[i] + prior[i];
        foreach (var isa in Isas)
        {
            var gw = (float[])prior.Clone();
            DepthwiseConv.BackwardWeight(g, x, gy, gw, isa);
            AssertClose(expected, gw, 1e-3, $"weight grad {isa}");
        }
        var simple = (float[])prior.Clone();
        DepthwiseConv.BackwardWeightSimple(g, x, gy, simple);
        AssertClose(expected, simple, 1e-3, "weight grad simple");
    }

    /// <summary>Forward, input and weight gradient on every ISA path against the float64 reference (x, w, gy from seed, seed+1, seed+2).</summary>
    private static void AllKernelsOnEveryIsa_MatchReference(ConvGeometry g, int seed)
    {
        var x = RandomArray(g.Batch * g.InChannels * g.InH * g.InW, seed);
        var wt = RandomArray(g.InChannels * g.KernelH * g.KernelW, seed + 1);
        var gy = RandomArray(g.Batch * g.InChannels * g.OutH * g.OutW, seed + 2);
        var yRef = DepthwiseConvReference.Forward(g, ToDouble(x), ToDouble(wt));
        var (gxRef, gwRef) = DepthwiseConvReference.Backward(g, ToDouble(x), ToDouble(wt), ToDouble(gy));
        foreach (var isa in Isas)
        {
            var y = new float[yRef.Length];
            var gx = new float[gxRef.Length];
            var gw = new float[gwRef.Length];
            DepthwiseConv.Forward(g, x, wt, y, isa);
            DepthwiseConv.BackwardInput(g, gy, wt, gx, isa);
            DepthwiseConv.BackwardWeight(g, x, gy, gw, isa);
            AssertClose(yRef, y, 1e-4, $"forward {isa}");
            AssertClose(gxRef, gx, 1e-3, $"input grad {isa}");
            AssertClose(gwRef, gw, 1e-3, $"weight grad {isa}");
        }
    }

    [Fact]
    public void NonSquareKernelStrideAndPadding_MatchReference()
    {
        var g = new ConvGeometry(3, 7, 7, 11, 13, 3, 5, 1, 2, 1, 2, 7);
        AllKernelsOnEveryIsa_MatchReference(g, seed: 12);
    }

    [Theory]
    [InlineData(3, 1, 34)]
    [InlineData(7, 1, 35)]
    [InlineData(3, 2, 81)]
    public void ManyNarrowPlanes_InPartlyFilledBands_MatchReference(int k, int s, int n)
    {
        // A large batch over 2x4 maps puts planes side by side in several bands (e.g. 19 + 15): the last is partly filled.
        var g = Geo(n, 3, 2, 4, k, s, k / 2);
        Assert.NotEqual(0, n % DepthwiseForwardLayout.ChooseBandPlanes(g));
        Assert.NotEqual(0, n % DepthwiseBackwardInputLayout.ChooseBandPlanes(g));
        AllKernelsOnEveryIsa_MatchReference(g, seed: 21);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(7, 0)]
    public void WideRowsAtStride2_MatchReference(int k, int pad)
    {
        // Rows of 67 columns take the vector deinterleave of the stride-2 scatter (32 columns at a time) plus its tail.
        var g = Geo(1, 3, 9, 67, k, 2, pad);
        AllKernelsOnEveryIsa_MatchReference(g, seed: 27);
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(5, 2, 2)]
    [InlineData(7, 2, 0)]
    public void Reference_MatchesCentralFiniteDifferences(int k, int s, int pad)
    {
        var g = Geo(1, 3, 6, 9, k, s, pad);
        var x = ToDouble(RandomArray(3 * 6 * 9, 15));
        var w = ToDouble(RandomArray(3 * k * k, 16));
        var r = ToDouble(RandomArray(3 * g.OutH * g.OutW, 17)); // loss = sum(r * y)
        var (gx, gw) = DepthwiseConvReference.Backward(g, x, w, r);
        double Loss()
        {
            var y = DepthwiseConvReference.Forward(g, x, w);
            double l = 0;
            for (int i = 0; i < y.Length; i++) l += r[i] * y[i];
            return l;
        }
        const double h = 1e-4;
        foreach (var (arr, grad) in new[] { (x, gx), (w, gw) })
            for (int i = 0; i < arr.Length; i++) // every coordinate: these tensors are small
            {
                double keep = arr[i];
                arr[i] = keep + h; double lp = Loss();
                arr[i] = keep - h; double lm = Loss();
                arr[i] = keep;
                Assert.True(Math.Abs((lp - lm) / (2 * h) - grad[i]) < 1e-6 * Math.Max(1, Math.Abs(grad[i])), $"index {i}");
            }
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(7, 2)]
    public void SplitRanges_AreBitwiseIdenticalToOneRange(int k, int s)
    {
        // The kernels are functions over plane/channel ranges so they can be split over threads; any split must
        // give the same bits as one range.
        var g = Geo(3, 7, 17, 31, k, s, k / 2);
        int planes = 3 * 7;
        var x = RandomArray(planes * 17 * 31, 18);
        var wt = RandomArray(7 * k * k, 19);
        var gy = RandomArray(planes * g.OutH * g.OutW, 20);

        var yOne = new float[gy.Length]; var ySplit = new float[gy.Length];
        DepthwiseConv.ForwardPlanes(g, x, wt, yOne, 0, planes, DepthwiseConvIsa.Auto);
        foreach (var (a, b) in new[] { (0, 5), (5, 6), (6, 20), (20, planes) })
            DepthwiseConv.ForwardPlanes(g, x, wt, ySplit, a, b, DepthwiseConvIsa.Auto);
        Assert.Equal(yOne, ySplit);

        var gxOne = new float[x.Length]; var gxSplit = new float[x.Length];
        DepthwiseConv.BackwardInputPlanes(g, gy, wt, gxOne, 0, planes, DepthwiseConvIsa.Auto);
        foreach (var (a, b) in new[] { (0, 10), (10, 11), (11, planes) })
            DepthwiseConv.BackwardInputPlanes(g, gy, wt, gxSplit, a, b, DepthwiseConvIsa.Auto);
        Assert.Equal(gxOne, gxSplit);

        var gwOne = new float[wt.Length]; var gwSplit = new float[wt.Length];
        DepthwiseConv.BackwardWeightChannels(g, x, gy, gwOne, 0, 7, DepthwiseConvIsa.Auto);
        foreach (var (a, b) in new[] { (0, 1), (1, 4), (4, 7) })
            DepthwiseConv.BackwardWeightChannels(g, x, gy, gwSplit, a, b, DepthwiseConvIsa.Auto);
        Assert.Equal(gwOne, gwSplit);
    }

    [Theory]
    [InlineData(7, 1)]
    [InlineData(5, 2)]
    public void ThreadCount_DoesNotChangeABit(int k, int s)
    {
        var g = Geo(3, 33, 17, 31, k, s, k / 2);
        Assert.True(g.Macs >= DepthwiseConv.ParallelMinMacs, "shape too small to run in parallel");
        var x = RandomArray(3 * 33 * 17 * 31, 24);
        var wt = RandomArray(33 * k * k, 25);
        var gy = RandomArray(3 * 33 * g.OutH * g.OutW, 26);
        float[]? y1 = null, gx1 = null, gw1 = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var y = new float[gy.Length];
            var gx = new float[x.Length];
            var gw = new float[wt.Length];
            DepthwiseConv.Forward(g, x, wt, y, DepthwiseConvIsa.Auto, threads);
            DepthwiseConv.BackwardInput(g, gy, wt, gx, DepthwiseConvIsa.Auto, threads);
            DepthwiseConv.BackwardWeight(g, x, gy, gw, DepthwiseConvIsa.Auto, threads);
            if (y1 is null) { y1 = y; gx1 = gx; gw1 = gw; continue; }
            Assert.Equal(y1, y);
            Assert.Equal(gx1, gx);
            Assert.Equal(gw1, gw);
        }
    }

    [Fact]
    public void BadArguments_ThrowNamingTheProblem()
    {
        var g = Geo(2, 3, 5, 5, 3, 1, 1);
        var x = new float[2 * 3 * 25];
        var w = new float[3 * 9];
        var y = new float[2 * 3 * 25];
        var e1 = Assert.Throws<ArgumentException>(() => DepthwiseConv.Forward(g, x.AsSpan(1), w, y));
        Assert.Equal("x", e1.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() => DepthwiseConv.BackwardWeight(g, x, y, w.AsSpan(0, 26)));
        Assert.Contains("weight", e2.Message);
        var notDw = ConvGeometry.Square(2, 3, 3, 5, 5, 3, 1, 1, 1);
        var e3 = Assert.Throws<ArgumentException>(() => DepthwiseConv.BackwardInput(notDw, y, w, x));
        Assert.Contains("not depthwise", e3.Message);
    }
}
