using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class FusedBatchNormActivationTests
{
    private static (float[] Y, float[] Gx, float[] Gg, float[] Gb) Run(int n, int c, int h, int w, FusedActivation act, bool fused)
    {
        var rng = new Random(11);
        var x = Tensor.Randn(rng, 2f, n, c, h, w);
        x.RequiresGrad = true;
        var gamma = Tensor.Randn(rng, 1f, c);
        gamma.RequiresGrad = true;
        var beta = Tensor.Randn(rng, 1f, c);
        beta.RequiresGrad = true;
        var weights = Tensor.Randn(rng, 1f, n, c, h, w); // a non-uniform upstream gradient
        Tensor y;
        if (fused) y = TensorOps.BatchNorm2dTrain(x, gamma, beta, 1e-5f, new double[c], new double[c], act);
        else
        {
            y = TensorOps.BatchNorm2dTrain(x, gamma, beta, 1e-5f, out _);
            y = act == FusedActivation.ReLU ? TensorOps.ReLU(y) : act == FusedActivation.HardSwish ? TensorOps.HardSwish(y) : y;
        }
        var yData = (float[])y.Data.Clone();
        TensorOps.Mean(TensorOps.Mul(y, weights)).Backward();
        return (yData, x.Grad!.Data, gamma.Grad!.Data, beta.Grad!.Data);
    }

    [Theory]
    [InlineData(3, 7, 5, 9, FusedActivation.ReLU)]
    [InlineData(3, 7, 5, 9, FusedActivation.HardSwish)]
    [InlineData(1, 3, 1, 33, FusedActivation.HardSwish)]
    [InlineData(2, 5, 4, 8, FusedActivation.None)]
    [InlineData(7, 1, 3, 3, FusedActivation.ReLU)]
    public void FusedBatchNormActivation_EqualsBatchNormThenActivation(int n, int c, int h, int w, FusedActivation act)
    {
        var f = Run(n, c, h, w, act, fused: true);
        var u = Run(n, c, h, w, act, fused: false);
        OpCheck.AssertClose("y", f.Y.Select(v => (double)v).ToArray(), u.Y.Select(v => (double)v).ToArray(), 1e-5);
        OpCheck.AssertClose("dx", f.Gx.Select(v => (double)v).ToArray(), u.Gx.Select(v => (double)v).ToArray(), 1e-4);
        OpCheck.AssertClose("dgamma", f.Gg.Select(v => (double)v).ToArray(), u.Gg.Select(v => (double)v).ToArray(), 1e-4);
        OpCheck.AssertClose("dbeta", f.Gb.Select(v => (double)v).ToArray(), u.Gb.Select(v => (double)v).ToArray(), 1e-4);
    }

    [Fact]
    public void BatchNorm2dLayer_WithActivation_AppliesItInEveryMode()
    {
        var x = Tensor.Randn(new Random(3), 2f, 2, 3, 4, 5);
        var bn = new BatchNorm2d(3, activation: FusedActivation.ReLU);
        var train = bn.Forward(x);
        Assert.All(train.Data, v => Assert.True(v >= 0f));
        Assert.Equal("BatchNorm2dTrain+ReLU", train.GradFn?.OpName);
        bn.Eval();
        Assert.All(bn.Forward(x).Data, v => Assert.True(v >= 0f));
        bn.Train();
        bn.AttachRecalibration(new BatchNormStatsAccumulator(3));
        Assert.All(bn.Forward(x).Data, v => Assert.True(v >= 0f));
        Assert.Equal(new[] { "weight", "bias" }, bn.NamedParameters().Select(p => p.Name));
    }

    [Theory]
    [InlineData(FusedActivation.ReLU)]
    [InlineData(FusedActivation.HardSwish)]
    public void EvalMode_FusedWithoutGrad_EqualsRecordedPath(FusedActivation act)
    {
        var rng = new Random(8);
        var x = Tensor.Randn(rng, 2f, 3, 5, 3, 7);
        var gamma = Tensor.Randn(rng, 1f, 5);
        var beta = Tensor.Randn(rng, 1f, 5);
        var mean = Tensor.Randn(rng, 0.5f, 5);
        var variance = Tensor.Full(1.7f, 5);
        Tensor fused;
        using (GradMode.NoGrad()) fused = TensorOps.BatchNorm2dEval(x, gamma, beta, mean, variance, 1e-5f, act);
        x.RequiresGrad = true;
        var recorded = TensorOps.BatchNorm2dEval(x, gamma, beta, mean, variance, 1e-5f, act);
        Assert.NotNull(recorded.GradFn);
        Assert.Null(fused.GradFn);
        Assert.Equal(recorded.Data, fused.Data);
    }

    [Theory]
    [InlineData(FusedActivation.ReLU)]
    [InlineData(FusedActivation.HardSwish)]
    public void Recalibration_WithActivation_EqualsBatchNormThenActivation_AndAccumulatesTheSameStatistics(FusedActivation act)
    {
        var rng = new Random(21);
        var bn = new BatchNorm2d(5, activation: act);
        bn.Weight.CopyFrom(Tensor.Randn(rng, 1f, 5).Span);
        bn.Bias.CopyFrom(Tensor.Randn(rng, 1f, 5).Span);
        var fusedAcc = new BatchNormStatsAccumulator(5);
        var plainAcc = new BatchNormStatsAccumulator(5);
        foreach (var (n, h, w) in new[] { (3, 3, 7), (1, 5, 3) })
        {
            var x = Tensor.Randn(rng, 2f, n, 5, h, w);
            Tensor fused, plain;
            using (GradMode.NoGrad())
            {
                fused = bn.ForwardRecalibrate(x, fusedAcc);
                plain = TensorOps.BatchNorm2dTrain(x, bn.Weight, bn.Bias, bn.Eps, out var stats);
                plainAcc.Add(stats);
                plain = act == FusedActivation.ReLU ? TensorOps.ReLU(plain) : TensorOps.HardSwish(plain);
            }
            Assert.Equal(plain.Data, fused.Data);
        }
        Assert.Equal(plainAcc.Count, fusedAcc.Count);
        for (int c = 0; c < 5; c++)
        {
            Assert.Equal(plainAcc.Mean(c), fusedAcc.Mean(c));
            Assert.Equal(plainAcc.Variance(c), fusedAcc.Variance(c));
        }
    }
}
