using AecOfa.Engine.Nn;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

public class GradientClippingTests
{
    private static Parameter WithGrad(params float[] g)
    {
        var p = Parameter.Zeros(new[] { g.Length });
        p.Grad = Tensor.FromArray((float[])g.Clone(), g.Length);
        return p;
    }

    [Fact]
    public void ClipByValue_ClampsEachElement()
    {
        var a = WithGrad(-3f, 0.5f, 2f);
        var noGrad = Parameter.Zeros(new[] { 3 });
        GradientClipping.ClipByValue(new[] { a, noGrad }, 1f);
        Assert.Equal(new[] { -1f, 0.5f, 1f }, a.Grad!.Data);
        Assert.Null(noGrad.Grad);
    }

    [Fact]
    public void ClipByGlobalNorm_ScalesAllGradients_AndReturnsTheNorm()
    {
        var a = WithGrad(3f, 4f);
        var b = WithGrad(12f);
        float norm = GradientClipping.ClipByGlobalNorm(new[] { a, b }, 6.5f);
        Assert.Equal(13f, norm, 1e-6);
        float c = (float)(6.5 / (13 + 1e-6));
        Assert.Equal(new[] { 3f * c, 4f * c }, a.Grad!.Data);
        Assert.Equal(new[] { 12f * c }, b.Grad!.Data);
        double after = Math.Sqrt(a.Grad.Data.Sum(x => (double)x * x) + b.Grad.Data.Sum(x => (double)x * x));
        Assert.Equal(6.5, after, 1e-5);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowTheLimit_LeavesGradientsUnchanged()
    {
        var a = WithGrad(3f, 4f);
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(new[] { a }, 10f), 1e-6);
        Assert.Equal(new[] { 3f, 4f }, a.Grad!.Data);
    }

    [Fact]
    public void ClipByGlobalNorm_NonFinite_ReturnsItOrThrowsOnRequest()
    {
        var a = WithGrad(float.NaN, 1f);
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm(new[] { a }, 1f)));
        Assert.Equal(1f, a.Grad!.Data[1]);
        Assert.Throws<ArithmeticException>(() => GradientClipping.ClipByGlobalNorm(new[] { a }, 1f, errorIfNonFinite: true));
    }
}
