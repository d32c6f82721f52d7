using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class ProductOpsTests
{
    [Theory]
    [InlineData(new[] { 1, 1, 5, 9 })]
    [InlineData(new[] { 3, 7, 17, 31 })]
    public void Mul_MatchesReference(int[] shape)
        => OpCheck.Run(20, new[] { OpInput.Of(shape), OpInput.Of(shape) }, t => TensorOps.Mul(t[0], t[1]), new Reference(
            x => { var y = new double[x[0].Length]; for (int i = 0; i < y.Length; i++) y[i] = x[0][i] * x[1][i]; return y; },
            (x, gy) =>
            {
                var ga = new double[gy.Length];
                var gb = new double[gy.Length];
                for (int i = 0; i < gy.Length; i++) { ga[i] = gy[i] * x[1][i]; gb[i] = gy[i] * x[0][i]; }
                return new double[]?[] { ga, gb };
            }));

    [Fact]
    public void Mul_SameTensorTwice_GivesTwoX()
    {
        var x = Tensor.FromArray(new[] { 1f, -2f }, 2);
        x.RequiresGrad = true;
        TensorOps.Mul(x, x).Backward(Tensor.FromArray(new[] { 1f, 1f }, 2));
        Assert.Equal(new[] { 2f, -4f }, x.Grad!.Data);
    }

    [Theory]
    [InlineData(1, 1, 5, 9)]
    [InlineData(3, 7, 5, 9)]
    [InlineData(3, 33, 17, 31)]
    public void ChannelScale_MatchesReference(int n, int c, int h, int w)
        => OpCheck.Run(21, new[] { OpInput.Of(n, c, h, w), OpInput.Of(n, c) }, t => TensorOps.ChannelScale(t[0], t[1]), new Reference(
            x =>
            {
                var y = new double[x[0].Length];
                for (int i = 0; i < y.Length; i++) y[i] = x[0][i] * x[1][i / (h * w)];
                return y;
            },
            (x, gy) =>
            {
                var gx = new double[gy.Length];
                var gs = new double[n * c];
                for (int i = 0; i < gy.Length; i++) { gx[i] = gy[i] * x[1][i / (h * w)]; gs[i / (h * w)] += gy[i] * x[0][i]; }
                return new double[]?[] { gx, gs };
            }));

    [Fact]
    public void ChannelScale_WrongScaleShape_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.ChannelScale(Tensor.Zeros(2, 3, 4, 4), Tensor.Zeros(2, 4)));
        Assert.Contains("ChannelScale", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }

    [Theory]
    [InlineData(1, 1, 5, 9)]
    [InlineData(3, 33, 17, 31)]
    public void GlobalAvgPool2d_MatchesReference(int n, int c, int h, int w)
        => OpCheck.Run(22, new[] { OpInput.Of(n, c, h, w) }, t => TensorOps.GlobalAvgPool2d(t[0]), new Reference(
            x =>
            {
                var y = new double[n * c];
                for (int i = 0; i < x[0].Length; i++) y[i / (h * w)] += x[0][i] / (h * w);
                return y;
            },
            (x, gy) =>
            {
                var g = new double[x[0].Length];
                for (int i = 0; i < g.Length; i++) g[i] = gy[i / (h * w)] / (h * w);
                return new double[]?[] { g };
            }));

    [Theory]
    [InlineData(0.2f)]
    [InlineData(0.5f)]
    public void Dropout_MatchesReferenceWithSameMask(float p)
    {
        const int seed = 77;
        int[] shape = { 3, 7, 5, 9 };
        // The reference draws the same mask: one NextDouble per element in index order, kept when >= p.
        var mask = new double[OpCheck.Numel(shape)];
        var r = new Random(seed);
        for (int i = 0; i < mask.Length; i++) mask[i] = r.NextDouble() >= p ? 1 / (1 - (double)p) : 0;
        OpCheck.Run(23, new[] { OpInput.Of(shape) }, t => TensorOps.Dropout(t[0], p, new Random(seed), training: true), new Reference(
            x => { var y = new double[mask.Length]; for (int i = 0; i < y.Length; i++) y[i] = x[0][i] * mask[i]; return y; },
            (x, gy) => { var g = new double[mask.Length]; for (int i = 0; i < g.Length; i++) g[i] = gy[i] * mask[i]; return new double[]?[] { g }; }));
    }

    [Fact]
    public void Dropout_KeepsAboutOneMinusP_AndIsIdentityInEval()
    {
        var x = Tensor.Full(1f, 10000);
        var y = TensorOps.Dropout(x, 0.3f, new Random(1), training: true);
        int kept = y.Data.Count(v => v != 0);
        Assert.InRange(kept, 6700, 7300);
        Assert.All(y.Data.Where(v => v != 0), v => Assert.Equal(1f / 0.7f, v, 5));
        Assert.Same(x, TensorOps.Dropout(x, 0.3f, new Random(1), training: false));
        Assert.All(TensorOps.Dropout(x, 1f, new Random(1), training: true).Data, v => Assert.Equal(0f, v));
    }
}
