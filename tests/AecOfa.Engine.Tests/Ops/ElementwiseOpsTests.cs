using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using Xunit.Sdk;

namespace AecOfa.Engine.Tests.Ops;

/// <summary>Op checks for Add, Mean and the eval-mode BN + activation backward against float64 references, and proof
/// that the comparison helpers cannot pass on NaN, infinities or a wrong length/shape.</summary>
public class ElementwiseOpsTests
{
    // SIMD-sized and odd sizes: 8/16-lane multiples, a remainder, a single element, a 4-D activation map.
    public static TheoryData<int[]> AddShapes() => new()
    {
        new[] { 1 }, new[] { 7 }, new[] { 16 }, new[] { 2, 64 }, new[] { 3, 37 }, new[] { 1027 }, new[] { 3, 7, 17, 31 },
    };

    [Theory, MemberData(nameof(AddShapes))]
    public void Add_DistinctOperands_MatchesReference(int[] shape)
        => OpCheck.Run(70, new[] { OpInput.Of(shape), OpInput.Of(shape) }, t => TensorOps.Add(t[0], t[1]), new Reference(
            x => { var y = new double[x[0].Length]; for (int i = 0; i < y.Length; i++) y[i] = x[0][i] + x[1][i]; return y; },
            (x, gy) => new double[]?[] { (double[])gy.Clone(), (double[])gy.Clone() }));

    [Theory, MemberData(nameof(AddShapes))]
    public void Add_OneOperandConstant_GradientOnlyToTheOther(int[] shape)
        => OpCheck.Run(71, new[] { OpInput.Of(shape), OpInput.Constant(shape) }, t => TensorOps.Add(t[0], t[1]), new Reference(
            x => { var y = new double[x[0].Length]; for (int i = 0; i < y.Length; i++) y[i] = x[0][i] + x[1][i]; return y; },
            (x, gy) => new double[]?[] { (double[])gy.Clone(), null }));

    [Fact]
    public void Add_SameTensorTwice_AccumulatesBothGradients()
    {
        var a = Tensor.Uniform(new Random(72), -1f, 1f, 3, 37);
        a.RequiresGrad = true;
        var g = Tensor.Uniform(new Random(73), -1f, 1f, 3, 37);
        TensorOps.Add(a, a).Backward(g);
        OpCheck.AssertClose("a + a gradient", a.Grad!, a.Shape, g.Data.Select(v => 2.0 * v).ToArray(), 1e-7);
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 33 })]
    [InlineData(new[] { 3, 7, 5, 9 })]
    public void Mean_MatchesReference(int[] shape)
        => OpCheck.Run(74, new[] { OpInput.Of(shape) }, t => TensorOps.Mean(t[0]), new Reference(
            x => new[] { x[0].Sum() / x[0].Length },
            (x, gy) => new double[]?[] { Enumerable.Repeat(gy[0] / x[0].Length, x[0].Length).ToArray() }));

    private const double Eps = 1e-5;

    private static double Act(FusedActivation act, double v) => act switch
    {
        FusedActivation.ReLU => Math.Max(v, 0),
        FusedActivation.HardSwish => v * Math.Clamp(v + 3, 0, 6) / 6,
        _ => v,
    };

    private static double ActGrad(FusedActivation act, double v) => act switch
    {
        FusedActivation.ReLU => v > 0 ? 1 : 0,
        FusedActivation.HardSwish => v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5,
        _ => 1,
    };

    /// <summary>y = act((x - mean) / sqrt(var + eps) * gamma + beta) with fixed statistics; inputs x, gamma, beta,
    /// mean, var (the last two constant).</summary>
    private static Reference EvalActivationReference(int c, int hw, FusedActivation act) => new(
        x =>
        {
            var y = new double[x[0].Length];
            for (int i = 0; i < y.Length; i++)
            {
                int ch = i / hw % c;
                double z = (x[0][i] - x[3][ch]) / Math.Sqrt(x[4][ch] + Eps) * x[1][ch] + x[2][ch];
                y[i] = Act(act, z);
            }
            return y;
        },
        (x, gy) =>
        {
            var gx = new double[x[0].Length];
            var gg = new double[c];
            var gb = new double[c];
            for (int i = 0; i < gx.Length; i++)
            {
                int ch = i / hw % c;
                double inv = 1 / Math.Sqrt(x[4][ch] + Eps), xhat = (x[0][i] - x[3][ch]) * inv;
                double gz = gy[i] * ActGrad(act, xhat * x[1][ch] + x[2][ch]);
                gx[i] = gz * x[1][ch] * inv;
                gg[ch] += gz * xhat;
                gb[ch] += gz;
            }
            return new double[]?[] { gx, gg, gb, null, null };
        });

    [Theory]
    [InlineData(1, 1, 5, 9, FusedActivation.ReLU)]
    [InlineData(3, 7, 5, 9, FusedActivation.HardSwish)]
    [InlineData(2, 33, 4, 8, FusedActivation.ReLU)]
    [InlineData(2, 33, 4, 8, FusedActivation.HardSwish)]
    public void EvalBatchNormWithActivation_Backward_MatchesReference(int n, int c, int h, int w, FusedActivation act)
        => OpCheck.Run(75, new[]
            {
                new OpInput(new[] { n, c, h, w }, Draw: OpCheck.Normal(3)), OpInput.Of(c), OpInput.Of(c),
                new OpInput(new[] { c }, RequiresGrad: false, Draw: r => (float)(r.NextDouble() - 0.5)),
                new OpInput(new[] { c }, RequiresGrad: false, Draw: r => (float)(0.5 + r.NextDouble())),
            },
            t => TensorOps.BatchNorm2dEval(t[0], t[1], t[2], t[3], t[4], (float)Eps, act), EvalActivationReference(c, h * w, act));

    // ---- The helpers themselves: NaN, infinities and a wrong length or shape never pass. ----

    [Theory]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, double.NegativeInfinity)]
    [InlineData(double.NaN, double.NaN)]
    public void AssertClose_FailsOnNonFiniteValues(double actual, double expected)
    {
        Assert.ThrowsAny<XunitException>(() => OpCheck.AssertClose("probe", new[] { 0.5, actual }, new[] { 0.5, expected }, 1e-3));
        Assert.ThrowsAny<XunitException>(() => DepthwiseConvTests.AssertClose(new[] { 0.5, expected }, new[] { 0.5f, (float)actual }, 1e-3, "probe"));
        Assert.ThrowsAny<XunitException>(() => LossReference.RelativeError(new[] { 0.5, actual }, new[] { 0.5, expected }));
    }

    [Fact]
    public void AssertClose_FailsOnLengthOrShapeMismatch_AndPassesOnEqualValues()
    {
        OpCheck.AssertClose("equal", new[] { 1.0, 2.0 }, new[] { 1.0, 2.0 }, 1e-9);
        Assert.ThrowsAny<XunitException>(() => OpCheck.AssertClose("short", new[] { 1.0 }, new[] { 1.0, 2.0 }, 1e-3));
        Assert.ThrowsAny<XunitException>(() => DepthwiseConvTests.AssertClose(new[] { 1.0, 2.0 }, new[] { 1f }, 1e-3, "short"));
        var t = Tensor.Zeros(2, 3);
        Assert.ThrowsAny<XunitException>(() => OpCheck.AssertClose("shape", t, new[] { 3, 2 }, new double[6], 1e-3));
    }

    [Fact]
    public void OpCheck_FailsForAnOpThatWritesNaN()
    {
        var reference = new Reference(x => (double[])x[0].Clone(), (x, gy) => new double[]?[] { (double[])gy.Clone() });
        Tensor NaNOp(Tensor[] t)
        {
            var y = TensorOps.Mul(t[0], Tensor.Full(1f, t[0].Shape));
            Array.Fill(y.Data, float.NaN);
            return y;
        }
        Assert.ThrowsAny<XunitException>(() => OpCheck.Run(76, new[] { OpInput.Of(3, 17) }, NaNOp, reference));
    }

    [Fact]
    public void OpCheck_FailsForAnOpWhoseGradientIsNaN()
    {
        var reference = new Reference(x => (double[])x[0].Clone(), (x, gy) => new double[]?[] { (double[])gy.Clone() });
        Tensor NaNGradient(Tensor[] t)
        {
            var scale = Tensor.Full(1f, t[0].Shape);
            var y = TensorOps.Mul(t[0], scale);
            return Autograd.Record(Tensor.FromArray((float[])y.Data.Clone(), y.Shape), "NaNGrad", new[] { t[0] }, o =>
            {
                var g = t[0].GradForAccumulate();
                for (int i = 0; i < g.Length; i++) g[i] = float.NaN;
            });
        }
        Assert.ThrowsAny<XunitException>(() => OpCheck.Run(77, new[] { OpInput.Of(2, 9) }, NaNGradient, reference));
    }

    [Fact]
    public void FiniteDifferenceCoordinates_AllForSmallTensors_AtLeast64Otherwise()
    {
        var rng = new Random(78);
        Assert.Equal(Enumerable.Range(0, 200), OpCheck.FiniteDifferenceCoordinates(200, rng));
        var big = OpCheck.FiniteDifferenceCoordinates(52_000, rng);
        Assert.True(big.Length >= 64 && big.Distinct().Count() == big.Length);
        Assert.Contains(0, big);
        Assert.Contains(51_999, big);
    }
}
