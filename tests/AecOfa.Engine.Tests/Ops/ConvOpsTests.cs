using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class ConvOpsTests
{
    /// <summary>Direct 7-loop convolution in float64 and its adjoint loops.</summary>
    private static Reference ConvReference(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw, int groups, bool hasBias)
    {
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1, cinG = cin / groups, coutG = cout / groups;
        // Visits every (output, weight, input) triple; calls f(yIndex, wIndex, xIndex).
        void Visit(Action<int, int, int> f)
        {
            for (int b = 0; b < n; b++)
                for (int co = 0; co < cout; co++)
                {
                    int gr = co / coutG;
                    for (int i = 0; i < oh; i++)
                        for (int j = 0; j < ow; j++)
                            for (int ci = 0; ci < cinG; ci++)
                                for (int u = 0; u < kh; u++)
                                    for (int v = 0; v < kw; v++)
                                    {
                                        int r = i * sh - ph + u, q = j * sw - pw + v;
                                        if (r < 0 || r >= h || q < 0 || q >= w) continue;
                                        f(((b * cout + co) * oh + i) * ow + j, ((co * cinG + ci) * kh + u) * kw + v,
                                            ((b * cin + gr * cinG + ci) * h + r) * w + q);
                                    }
                }
        }
        return new Reference(
            x =>
            {
                var y = new double[n * cout * oh * ow];
                if (hasBias) for (int k = 0; k < y.Length; k++) y[k] = x[2][k / (oh * ow) % cout];
                Visit((yi, wi, xi) => y[yi] += x[1][wi] * x[0][xi]);
                return y;
            },
            (x, gy) =>
            {
                var gx = new double[x[0].Length];
                var gw = new double[x[1].Length];
                Visit((yi, wi, xi) => { gx[xi] += gy[yi] * x[1][wi]; gw[wi] += gy[yi] * x[0][xi]; });
                if (!hasBias) return new double[]?[] { gx, gw };
                var gb = new double[cout];
                for (int k = 0; k < gy.Length; k++) gb[k / (oh * ow) % cout] += gy[k];
                return new double[]?[] { gx, gw, gb };
            });
    }

    public static TheoryData<int[]> Cases() => new()
    {
        // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, groups, bias
        new[] { 1, 1, 5, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1 },     // single channel, same padding
        new[] { 3, 3, 5, 9, 7, 5, 5, 2, 2, 2, 2, 1, 0 },     // stride 2, odd sizes
        new[] { 3, 7, 17, 31, 33, 1, 1, 1, 1, 0, 0, 1, 1 },  // pointwise GEMM path
        new[] { 3, 7, 3, 5, 33, 1, 1, 1, 1, 0, 0, 1, 1 },    // pointwise, small map: one GEMM over the batch
        new[] { 7, 33, 1, 1, 3, 1, 1, 1, 1, 0, 0, 1, 1 },    // pointwise on 1x1 maps (squeeze-excitation)
        new[] { 3, 7, 5, 9, 3, 1, 1, 2, 2, 0, 0, 1, 0 },     // 1x1 stride 2 (im2col path)
        new[] { 1, 3, 17, 31, 7, 7, 7, 2, 2, 3, 3, 1, 1 },   // 7x7 stem-like
        new[] { 3, 7, 5, 9, 7, 3, 3, 1, 1, 1, 1, 7, 0 },     // depthwise 3x3
        new[] { 1, 33, 17, 31, 33, 7, 7, 2, 2, 3, 3, 33, 1 },// depthwise 7x7 stride 2
        new[] { 3, 7, 5, 9, 7, 5, 5, 2, 2, 2, 2, 7, 0 },     // depthwise 5x5 stride 2
        new[] { 3, 9, 5, 9, 6, 3, 3, 1, 1, 1, 1, 3, 1 },     // grouped, 3 groups
        new[] { 1, 3, 5, 9, 6, 3, 3, 2, 2, 1, 1, 3, 0 },     // depthwise multiplier 2 (im2col path)
        new[] { 1, 3, 5, 9, 7, 3, 5, 2, 1, 1, 2, 1, 1 },     // rectangular kernel, stride and padding
        new[] { 3, 3, 5, 5, 1, 5, 5, 1, 1, 0, 0, 1, 0 },     // kernel covers the whole image
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2d_MatchesReference(int[] c)
    {
        int n = c[0], cin = c[1], h = c[2], w = c[3], cout = c[4], kh = c[5], kw = c[6], sh = c[7], sw = c[8], ph = c[9], pw = c[10], groups = c[11];
        bool hasBias = c[12] == 1;
        var inputs = new List<OpInput> { OpInput.Of(n, cin, h, w), OpInput.Of(cout, cin / groups, kh, kw) };
        if (hasBias) inputs.Add(OpInput.Of(cout));
        OpCheck.Run(40, inputs.ToArray(),
            t => TensorOps.Conv2d(t[0], t[1], hasBias ? t[2] : null, sh, sw, ph, pw, groups),
            ConvReference(n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, groups, hasBias));
    }

    [Theory]
    [InlineData(9, 9)] // per-clip 1x1 path (81 positions)
    [InlineData(3, 5)] // batched 1x1 path (15 positions)
    public void PointwiseConv_InputUsedTwice_AccumulatesBothGradients(int h, int w)
    {
        // The first backward writes the fresh input gradient, the second must add to it.
        var x = Tensor.Randn(new Random(4), 1f, 3, 5, h, w);
        x.RequiresGrad = true;
        var wt = Tensor.Randn(new Random(5), 1f, 7, 5, 1, 1);
        TensorOps.Mean(TensorOps.Conv2d(x, wt)).Backward();
        var once = (float[])x.Grad!.Data.Clone();
        x.ZeroGrad();
        TensorOps.Mean(TensorOps.Add(TensorOps.Conv2d(x, wt), TensorOps.Conv2d(x, wt))).Backward();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], x.Grad!.Data[i], 1e-6);
    }

    [Theory]
    [InlineData(3, 7, 33, 9, 11)] // 99 positions: remainder output rows of the 4x4 blocks, an 8-lane tail
    [InlineData(1, 8, 48, 8, 8)]  // full blocks only
    [InlineData(2, 5, 3, 13, 5)]
    public void PointwiseBackward_clip_by_clip_has_the_bits_of_the_two_passes(int n, int cin, int cout, int h, int w)
    {
        var g = new AecOfa.Engine.Kernels.ConvGeometry(n, cin, cout, h, w, 1, 1, 1, 1, 0, 0, 1);
        float[] Rand(int length, int seed) => Tensor.Randn(new Random(seed), 1f, length).Data;
        var x = Rand(n * cin * h * w, 1);
        var wt = Rand(cout * cin, 2);
        var gy = Rand(n * cout * h * w, 3);
        var priorX = Rand(x.Length, 4);
        var priorW = Rand(wt.Length, 5);
        foreach (bool accumulate in new[] { true, false })
        {
            var gxTwo = accumulate ? (float[])priorX.Clone() : new float[x.Length];
            var gwTwo = (float[])priorW.Clone();
            TensorOps.ConvBackwardInput(g, gy, wt, gxTwo);
            TensorOps.ConvBackwardWeight(g, x, gy, gwTwo);
            var gxOne = accumulate ? (float[])priorX.Clone() : Enumerable.Repeat(float.NaN, x.Length).ToArray();
            var gwOne = (float[])priorW.Clone();
            TensorOps.PointwiseBackwardPerClipFused(g, x, wt, gy, gxOne, accumulate, gwOne);
            Assert.Equal(gxTwo, gxOne);
            Assert.Equal(gwTwo, gwOne);
        }
    }

    [Fact]
    public void Conv2d_OnlyWeightRequiresGrad_LeavesInputGradNull()
    {
        var x = Tensor.Randn(new Random(1), 1f, 1, 3, 5, 9);
        var wt = Tensor.Randn(new Random(2), 1f, 4, 3, 3, 3);
        wt.RequiresGrad = true;
        var y = TensorOps.Conv2d(x, wt, null, stride: 1, padding: 1);
        Assert.Equal(new[] { 1, 4, 5, 9 }, y.Shape);
        TensorOps.Mean(y).Backward();
        Assert.Null(x.Grad);
        Assert.NotNull(wt.Grad);
    }

    [Fact]
    public void Conv2d_ChannelMismatch_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 2, 3, 3)));
        Assert.Contains("Conv2d", e.Message);
        Assert.Contains("(1, 3, 5, 5)", e.Message);
        Assert.Contains("(4, 2, 3, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => TensorOps.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 1, 3, 3), groups: 2));
        Assert.Throws<ArgumentException>(() => TensorOps.Conv2d(Tensor.Zeros(1, 3, 2, 2), Tensor.Zeros(4, 3, 5, 5)));
    }
}
