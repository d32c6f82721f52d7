using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Nn;

public class BatchNorm2dTests
{
    private static (double[] Mean, double[] Var, long Count) ExactStats(IEnumerable<Tensor> batches, int c)
    {
        var values = new List<double>[c];
        for (int ch = 0; ch < c; ch++) values[ch] = new List<double>();
        foreach (var x in batches)
        {
            int hw = x.Shape[2] * x.Shape[3];
            for (int k = 0; k < x.Numel; k++) values[k / hw % c].Add(x.Data[k]);
        }
        var mean = values.Select(v => v.Average()).ToArray();
        var variance = values.Select((v, ch) => v.Sum(a => (a - mean[ch]) * (a - mean[ch])) / v.Count).ToArray();
        return (mean, variance, values[0].Count);
    }

    [Fact]
    public void Defaults_MatchPyTorch()
    {
        var bn = new BatchNorm2d(7);
        Assert.Equal(1e-5f, bn.Eps);
        Assert.Equal(0.1f, bn.Momentum);
        Assert.All(bn.Weight.Data, v => Assert.Equal(1f, v));
        Assert.All(bn.Bias.Data, v => Assert.Equal(0f, v));
        Assert.All(bn.RunningMean.Data, v => Assert.Equal(0f, v));
        Assert.All(bn.RunningVar.Data, v => Assert.Equal(1f, v));
        Assert.True(bn.Weight.NoWeightDecay && bn.Bias.NoWeightDecay);
    }

    [Fact]
    public void Training_NormalizesWithBatchStats_AndUpdatesRunningStats()
    {
        var bn = new BatchNorm2d(3);
        var x = Tensor.Uniform(new Random(1), 2f, 6f, 3, 3, 5, 9);
        var y = bn.Forward(x);
        var (mean, variance, count) = ExactStats(new[] { x }, 3);
        for (int ch = 0; ch < 3; ch++)
        {
            Assert.Equal(0.1 * mean[ch], bn.RunningMean.Data[ch], 1e-6);
            Assert.Equal(0.9 + 0.1 * variance[ch] * count / (count - 1), bn.RunningVar.Data[ch], 1e-6);
            Assert.Equal((x[1, ch, 2, 3] - mean[ch]) / Math.Sqrt(variance[ch] + 1e-5), y[1, ch, 2, 3], 1e-5);
        }
    }

    [Fact]
    public void Eval_UsesRunningStats_AndLeavesThemAlone()
    {
        var bn = new BatchNorm2d(3);
        bn.RunningMean.Data[1] = 2f;
        bn.RunningVar.Data[1] = 4f;
        bn.Weight.Data[1] = 3f;
        bn.Bias.Data[1] = 0.5f;
        bn.Eval();
        var x = Tensor.Full(6f, 1, 3, 1, 1);
        var y = bn.Forward(x);
        Assert.Equal((6 - 2) / Math.Sqrt(4 + 1e-5) * 3 + 0.5, y[0, 1, 0, 0], 1e-5);
        Assert.Equal(2f, bn.RunningMean.Data[1]);
        Assert.Equal(4f, bn.RunningVar.Data[1]);
    }

    [Fact]
    public void Recalibration_OverUnequalBatches_GivesExactStatistics()
    {
        var bn = new BatchNorm2d(7);
        bn.Eval(); // recalibration works in either mode: the attached accumulator decides
        var rng = new Random(2);
        var batches = new[] { 1, 3, 7, 2 }.Select((n, i) => Tensor.Uniform(rng, i, 2 * i + 1, n, 7, 5, 9)).ToList();
        var acc = new BatchNormStatsAccumulator(7);
        bn.AttachRecalibration(acc);
        using (GradMode.NoGrad())
        {
            foreach (var x in batches)
            {
                var y = bn.Forward(x);
                // Normalized with the batch's own statistics, as OFA does while recalibrating.
                var (bm, bv, _) = ExactStats(new[] { x }, 7);
                Assert.Equal((x[0, 4, 1, 1] - bm[4]) / Math.Sqrt(bv[4] + 1e-5), y[0, 4, 1, 1], 1e-4);
            }
        }
        bn.DetachRecalibration();
        Assert.All(bn.RunningMean.Data, v => Assert.Equal(0f, v)); // untouched until loaded
        bn.LoadRunningStatistics(acc);
        var (mean, variance, _) = ExactStats(batches, 7);
        for (int ch = 0; ch < 7; ch++)
        {
            Assert.Equal((float)mean[ch], bn.RunningMean.Data[ch]);
            Assert.Equal((float)variance[ch], bn.RunningVar.Data[ch]);
        }
    }

    [Fact]
    public void ForwardRecalibrate_WithExplicitAccumulator_MatchesAttachedMode()
    {
        var bn = new BatchNorm2d(3);
        var x = Tensor.Uniform(new Random(3), -1f, 1f, 3, 3, 5, 9);
        var acc = new BatchNormStatsAccumulator(3);
        var y = bn.ForwardRecalibrate(x, acc);
        Assert.Equal(135, acc.Count);
        Assert.All(bn.RunningVar.Data, v => Assert.Equal(1f, v));
        var e = Assert.Throws<ArgumentException>(() => bn.AttachRecalibration(new BatchNormStatsAccumulator(4)));
        Assert.Contains("4 channels", e.Message);
        Assert.Equal(TensorOps.BatchNorm2dTrain(x, bn.Weight, bn.Bias, bn.Eps, out _).Data, y.Data);
    }
}
