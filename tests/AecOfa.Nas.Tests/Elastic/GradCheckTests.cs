using AecOfa.Engine;
using AecOfa.Nas.Tests.Supernet;
using Xunit.Sdk;

namespace AecOfa.Nas.Tests.Elastic;

/// <summary>The comparison helpers of the elastic and fusion tests cannot pass on NaN, infinities or a wrong length/shape.</summary>
public class GradCheckTests
{
    [Theory]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, double.NegativeInfinity)]
    [InlineData(double.NaN, double.NaN)]
    public void AssertClose_FailsOnNonFiniteValues(double actual, double expected)
    {
        Assert.ThrowsAny<XunitException>(() => GradCheck.AssertClose("probe", [0.5, actual], [0.5, expected], GradCheck.GradTol));
        var a = Tensor.FromArray([0.5f, (float)actual], 2);
        var b = Tensor.FromArray([0.5f, (float)expected], 2);
        Assert.ThrowsAny<XunitException>(() => TinySupernet.MaxAbsDiff(b, a));
    }

    [Fact]
    public void AssertClose_AllNaN_Fails()
    {
        var nan = Enumerable.Repeat(double.NaN, 16).ToArray();
        var reference = Enumerable.Range(1, 16).Select(i => (double)i).ToArray();
        Assert.ThrowsAny<XunitException>(() => GradCheck.AssertClose("op writing NaN everywhere", nan, reference, GradCheck.ForwardTol));
    }

    [Fact]
    public void AssertClose_FailsOnLengthOrShapeMismatch_AndPassesOnEqualValues()
    {
        GradCheck.AssertClose("equal", [1.0, 2.0], [1.0, 2.0], 1e-9);
        Assert.ThrowsAny<XunitException>(() => GradCheck.AssertClose("short", [1.0], [1.0, 2.0], 1e-3));
        Assert.ThrowsAny<XunitException>(() => GradCheck.AssertClose("shape", Tensor.Zeros(2, 3), [3, 2], [1, 0, 0, 0, 0, 0], 1e-3));
        Assert.ThrowsAny<XunitException>(() => TinySupernet.MaxAbsDiff(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
    }

    [Fact]
    public void FiniteDifferences_OfANaNLoss_Fail()
    {
        double[] values = [0.1, 0.2];
        Assert.ThrowsAny<XunitException>(() => GradCheck.FiniteDifferences(() => double.NaN, values));
    }
}
