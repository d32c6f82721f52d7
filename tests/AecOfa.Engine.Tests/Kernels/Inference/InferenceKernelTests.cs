using AecOfa.Engine.Kernels;
using AecOfa.Engine.Kernels.Inference;

namespace AecOfa.Engine.Tests.Kernels.Inference;

/// <summary>The channels-last inference kernels against float64 references on odd shapes (1, 3, 7, 33 pixels and
/// channels, and widths that exercise every register tile and tail), with and without bias, activation and residual.</summary>
public sealed class InferenceKernelTests
{
    private static readonly int[] Odd = [1, 3, 7, 33];

    public static TheoryData<int, int, int> PointwiseShapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int p in new[] { 1, 3, 7, 10, 33 }) // 10 = a 6-pixel and a 4-pixel tile
            foreach (int cin in Odd)
                foreach (int cout in new[] { 1, 3, 7, 33, 40, 16 })
                    data.Add(p, cin, cout);
        return data;
    }

    [Theory, MemberData(nameof(PointwiseShapes))]
    public void Pointwise_MatchesReference(int pixels, int cin, int cout)
    {
        int seed = pixels * 1000 + cin * 50 + cout;
        int ldx = cin + 2, ldy = cout + 1; // strides larger than the rows: untouched gaps
        var x = DepthwiseConvTests.RandomArray(pixels * ldx, seed);
        var w = DepthwiseConvTests.RandomArray(cout * cin, seed + 1);
        var b = DepthwiseConvTests.RandomArray(cout, seed + 2);
        var r = DepthwiseConvTests.RandomArray(pixels * ldy, seed + 3);
        var packed = new PackedPointwiseWeights(w, b, cout, cin);
        foreach (var act in new[] { FusedActivation.None, FusedActivation.ReLU, FusedActivation.HardSwish })
            foreach (bool withResidual in new[] { false, true })
            {
                var y = new float[pixels * ldy];
                Array.Fill(y, float.NaN);
                PointwiseConvHwc.Forward(x, pixels, ldx, packed, y, ldy, act, withResidual ? r : default);
                var expected = InferenceKernelReference.Pointwise(x, pixels, ldx, w, b, cout, cin, act, withResidual ? r : null, ldy);
                DepthwiseConvTests.AssertClose(expected, Dense(y, pixels, ldy, cout), 1e-5, $"pointwise {pixels}x{cin}->{cout} {act} residual {withResidual}");
                for (int p = 0; p < pixels; p++)
                    for (int o = cout; o < ldy; o++) Assert.True(float.IsNaN(y[p * ldy + o]), $"wrote the gap at pixel {p}, column {o}");
            }
    }

    [Fact]
    public void Pointwise_WithoutBias_IsTheProductAlone()
    {
        var x = DepthwiseConvTests.RandomArray(7 * 3, 1);
        var w = DepthwiseConvTests.RandomArray(33 * 3, 2);
        var y = new float[7 * 33];
        PointwiseConvHwc.Forward(x, 7, 3, new PackedPointwiseWeights(w, default, 33, 3), y, 33);
        DepthwiseConvTests.AssertClose(InferenceKernelReference.Pointwise(x, 7, 3, w, [], 33, 3, FusedActivation.None, null, 33), y, 1e-5, "no bias");
    }

    public static TheoryData<int, int, int, int, int, int> TapShapes()
    {
        var data = new TheoryData<int, int, int, int, int, int>();
        (int H, int W)[] sizes = [(1, 1), (3, 7), (7, 3), (33, 5), (2, 4), (5, 33)];
        int idx = 0;
        foreach (var (h, w) in sizes)
            foreach (int k in new[] { 1, 3, 5, 7 })
                foreach (int s in new[] { 1, 2 })
                    foreach (int pad in k == 1 ? new[] { 0 } : new[] { k / 2, 0 })
                    {
                        if (h + 2 * pad < k || w + 2 * pad < k) continue;
                        data.Add(h, w, Odd[idx++ % Odd.Length], k, s, pad);
                    }
        data.Add(5, 6, 40, 3, 2, 1); // a 32-channel block plus an 8-channel block
        data.Add(4, 4, 72, 5, 1, 2);
        return data;
    }

    [Theory, MemberData(nameof(TapShapes))]
    public void Depthwise_MatchesReference(int h, int w, int c, int k, int stride, int pad)
    {
        int seed = h * 7919 + w * 131 + c * 17 + k * 3 + stride;
        var x = DepthwiseConvTests.RandomArray(h * w * c, seed);
        var wt = DepthwiseConvTests.RandomArray(c * k * k, seed + 1);
        var b = DepthwiseConvTests.RandomArray(c, seed + 2);
        int ho = DepthwiseConvHwc.OutputSize(h, k, stride, pad), wo = DepthwiseConvHwc.OutputSize(w, k, stride, pad);
        foreach (var act in new[] { FusedActivation.None, FusedActivation.ReLU, FusedActivation.HardSwish })
        {
            var y = new float[ho * wo * c];
            DepthwiseConvHwc.Forward(x, h, w, new PackedTapWeights(wt, b, c, k), stride, pad, y, act);
            DepthwiseConvTests.AssertClose(InferenceKernelReference.Taps(x, h, w, c, wt, b, k, stride, pad, act, singleInput: false), y, 1e-5,
                $"depthwise {h}x{w}x{c} k{k} s{stride} p{pad} {act}");
        }
    }

    [Theory, MemberData(nameof(TapShapes))]
    public void SingleChannel_MatchesReference(int h, int w, int c, int k, int stride, int pad)
    {
        int seed = h * 31 + w * 7 + c + k * 1000 + stride;
        var x = DepthwiseConvTests.RandomArray(h * w, seed);
        var wt = DepthwiseConvTests.RandomArray(c * k * k, seed + 1);
        var b = DepthwiseConvTests.RandomArray(c, seed + 2);
        int ho = DepthwiseConvHwc.OutputSize(h, k, stride, pad), wo = DepthwiseConvHwc.OutputSize(w, k, stride, pad);
        var y = new float[ho * wo * c];
        SingleChannelConvHwc.Forward(x, h, w, new PackedTapWeights(wt, b, c, k), stride, pad, y, FusedActivation.HardSwish);
        DepthwiseConvTests.AssertClose(InferenceKernelReference.Taps(x, h, w, c, wt, b, k, stride, pad, FusedActivation.HardSwish, singleInput: true), y, 1e-5,
            $"single-channel {h}x{w}->{c} k{k} s{stride} p{pad}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(7, 33)]
    [InlineData(33, 3)]
    public void MeanAndGate_MatchReference(int pixels, int channels)
    {
        var x = DepthwiseConvTests.RandomArray(pixels * channels, pixels + channels);
        var g = DepthwiseConvTests.RandomArray(channels, 5);
        for (int i = 0; i < channels; i++) g[i] *= 4; // beyond both kinks of the hard sigmoid
        var mean = new float[channels];
        ChannelsLastPooling.Mean(x, pixels, channels, mean);
        var expectedMean = new double[channels];
        var expectedScaled = new double[pixels * channels];
        for (int c = 0; c < channels; c++)
        {
            double s = 0;
            for (int p = 0; p < pixels; p++) s += x[p * channels + c];
            expectedMean[c] = s / pixels;
            double gate = Math.Min(Math.Max(g[c] + 3.0, 0), 6) / 6;
            for (int p = 0; p < pixels; p++) expectedScaled[p * channels + c] = x[p * channels + c] * gate;
        }
        DepthwiseConvTests.AssertClose(expectedMean, mean, 1e-5, "mean");
        ChannelsLastPooling.ScaleByHardSigmoid(x, pixels, channels, g);
        DepthwiseConvTests.AssertClose(expectedScaled, x, 1e-6, "gate");
    }

    [Fact]
    public void BadSizes_NameTheArgument()
    {
        var packed = new PackedPointwiseWeights(new float[6], default, 2, 3);
        Assert.Throws<ArgumentException>("x", () => PointwiseConvHwc.Forward(new float[5], 2, 3, packed, new float[4], 2));
        Assert.Throws<ArgumentException>("y", () => PointwiseConvHwc.Forward(new float[6], 2, 3, packed, new float[3], 2));
        Assert.Throws<ArgumentOutOfRangeException>("ldx", () => PointwiseConvHwc.Forward(new float[6], 2, 2, packed, new float[4], 2));
        Assert.Throws<ArgumentException>("weight", () => new PackedPointwiseWeights(new float[5], default, 2, 3));
        Assert.Throws<ArgumentException>("bias", () => new PackedTapWeights(new float[9], new float[2], 1, 3));
        var taps = new PackedTapWeights(new float[9], default, 1, 3);
        Assert.Throws<ArgumentException>("y", () => DepthwiseConvHwc.Forward(new float[9], 3, 3, taps, 1, 1, new float[8]));
    }

    private static float[] Dense(float[] y, int pixels, int ldy, int cout)
    {
        var d = new float[pixels * cout];
        for (int p = 0; p < pixels; p++) Array.Copy(y, p * ldy, d, p * cout, cout);
        return d;
    }
}
