using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class BatchNormOpsTests
{
    private const double Eps = 1e-5;

    /// <summary>Per-channel mean and biased variance over (N, H, W) in float64, two passes.</summary>
    private static (double[] Mean, double[] Var) Stats(double[] x, int n, int c, int hw)
    {
        var mean = new double[c];
        var v = new double[c];
        for (int k = 0; k < x.Length; k++) mean[k / hw % c] += x[k] / (n * hw);
        for (int k = 0; k < x.Length; k++) v[k / hw % c] += Math.Pow(x[k] - mean[k / hw % c], 2) / (n * hw);
        return (mean, v);
    }

    /// <summary>Training-mode batch norm in float64; its backward is the textbook formula, validated by finite differences.</summary>
    private static Reference TrainReference(int n, int c, int hw) => new(
        x =>
        {
            var (mean, v) = Stats(x[0], n, c, hw);
            var y = new double[x[0].Length];
            for (int k = 0; k < y.Length; k++) { int ch = k / hw % c; y[k] = (x[0][k] - mean[ch]) / Math.Sqrt(v[ch] + Eps) * x[1][ch] + x[2][ch]; }
            return y;
        },
        (x, gy) =>
        {
            var (mean, v) = Stats(x[0], n, c, hw);
            int m = n * hw;
            var gx = new double[x[0].Length];
            var gg = new double[c];
            var gb = new double[c];
            for (int k = 0; k < gy.Length; k++)
            {
                int ch = k / hw % c;
                double xhat = (x[0][k] - mean[ch]) / Math.Sqrt(v[ch] + Eps);
                gg[ch] += gy[k] * xhat;
                gb[ch] += gy[k];
            }
            for (int k = 0; k < gy.Length; k++)
            {
                int ch = k / hw % c;
                double inv = 1 / Math.Sqrt(v[ch] + Eps), xhat = (x[0][k] - mean[ch]) * inv;
                gx[k] = x[1][ch] * inv * (gy[k] - gb[ch] / m - xhat * gg[ch] / m);
            }
            return new double[]?[] { gx, gg, gb };
        });

    private static Reference EvalReference(int c, int hw) => new(
        x =>
        {
            var y = new double[x[0].Length];
            for (int k = 0; k < y.Length; k++) { int ch = k / hw % c; y[k] = (x[0][k] - x[3][ch]) / Math.Sqrt(x[4][ch] + Eps) * x[1][ch] + x[2][ch]; }
            return y;
        },
        (x, gy) =>
        {
            var gx = new double[x[0].Length];
            var gg = new double[c];
            var gb = new double[c];
            for (int k = 0; k < gy.Length; k++)
            {
                int ch = k / hw % c;
                double inv = 1 / Math.Sqrt(x[4][ch] + Eps);
                gx[k] = gy[k] * x[1][ch] * inv;
                gg[ch] += gy[k] * (x[0][k] - x[3][ch]) * inv;
                gb[ch] += gy[k];
            }
            return new double[]?[] { gx, gg, gb, null, null };
        });

    // Inputs with a channel-independent offset and scale, so that mean and variance are far from 0 and 1.
    private static readonly Func<Random, float> ShiftedInput = r => (float)(3 + 2 * (2 * r.NextDouble() - 1));

    [Theory]
    [InlineData(1, 1, 5, 9)]
    [InlineData(3, 7, 5, 9)]
    [InlineData(3, 33, 17, 31)]
    [InlineData(3, 3, 1, 1)]
    public void Train_MatchesReference(int n, int c, int h, int w)
        => OpCheck.Run(50, new[] { new OpInput(new[] { n, c, h, w }, Draw: ShiftedInput), OpInput.Of(c), OpInput.Of(c) },
            t => TensorOps.BatchNorm2dTrain(t[0], t[1], t[2], (float)Eps, out _), TrainReference(n, c, h * w));

    [Theory]
    [InlineData(1, 1, 5, 9)]
    [InlineData(3, 33, 17, 31)]
    public void Eval_MatchesReference(int n, int c, int h, int w)
        => OpCheck.Run(51, new[]
            {
                new OpInput(new[] { n, c, h, w }, Draw: ShiftedInput), OpInput.Of(c), OpInput.Of(c),
                new OpInput(new[] { c }, RequiresGrad: false, Draw: r => (float)(3 * r.NextDouble())),
                new OpInput(new[] { c }, RequiresGrad: false, Draw: r => (float)(0.5 + r.NextDouble())),
            },
            t => TensorOps.BatchNorm2dEval(t[0], t[1], t[2], t[3], t[4], (float)Eps), EvalReference(c, h * w));

    [Fact]
    public void Train_ReturnsBatchStatistics_AndUpdatesRunningLikePyTorch()
    {
        int n = 3, c = 7, hw = 45;
        var x = Tensor.Uniform(new Random(52), 1f, 5f, n, c, 5, 9);
        TensorOps.BatchNorm2dTrain(x, Tensor.Full(1f, c), Tensor.Zeros(c), 1e-5f, out var stats);
        var (mean, v) = Stats(Array.ConvertAll(x.Data, f => (double)f), n, c, hw);
        Assert.Equal(n * hw, stats.Count);
        var runMean = Enumerable.Repeat(0.5f, c).ToArray();
        var runVar = Enumerable.Repeat(2f, c).ToArray();
        stats.UpdateRunning(runMean, runVar, 0.1f);
        for (int ch = 0; ch < c; ch++)
        {
            Assert.Equal(mean[ch], stats.Mean[ch], 1e-12);
            Assert.Equal(v[ch], stats.BiasedVariance(ch), 1e-12);
            Assert.Equal(0.9 * 0.5 + 0.1 * mean[ch], runMean[ch], 1e-6);
            Assert.Equal(0.9 * 2 + 0.1 * v[ch] * (n * hw) / (n * hw - 1.0), runVar[ch], 1e-6);
        }
    }

    [Fact]
    public void Accumulator_OverUnequalBatches_EqualsStatisticsOfConcatenation()
    {
        int c = 7, h = 5, w = 9;
        var rng = new Random(53);
        var acc = new BatchNormStatsAccumulator(c);
        var all = new List<double>[c];
        for (int ch = 0; ch < c; ch++) all[ch] = new List<double>();
        int[] batchSizes = { 1, 3, 7, 2, 33 };
        for (int b = 0; b < batchSizes.Length; b++)
        {
            // Each batch gets its own offset so per-batch means differ (averaging per-batch variances would be wrong).
            var x = Tensor.Uniform(rng, -1f + 2 * b, 1f + 3 * b, batchSizes[b], c, h, w);
            BatchNormBatchStats s;
            using (GradMode.NoGrad()) TensorOps.BatchNorm2dTrain(x, Tensor.Full(1f, c), Tensor.Zeros(c), 1e-5f, out s);
            acc.Add(s);
            for (int k = 0; k < x.Numel; k++) all[k / (h * w) % c].Add(x.Data[k]);
        }
        Assert.Equal(batchSizes.Sum() * h * w, acc.Count);
        var rm = new float[c];
        var rv = new float[c];
        acc.CopyTo(rm, rv);
        for (int ch = 0; ch < c; ch++)
        {
            double mean = all[ch].Average();
            double variance = all[ch].Sum(v => (v - mean) * (v - mean)) / all[ch].Count;
            Assert.True(Math.Abs(acc.Mean(ch) - mean) <= 1e-12 * Math.Abs(mean), $"mean {acc.Mean(ch)} vs {mean}");
            Assert.True(Math.Abs(acc.Variance(ch) - variance) <= 1e-12 * variance, $"variance {acc.Variance(ch)} vs {variance}");
            Assert.Equal(variance * all[ch].Count / (all[ch].Count - 1), acc.UnbiasedVariance(ch), 1e-9);
            Assert.Equal((float)mean, rm[ch]);
            Assert.Equal((float)variance, rv[ch]);
        }
    }

    [Fact]
    public void Accumulator_Misuse_Throws()
    {
        var acc = new BatchNormStatsAccumulator(3);
        Assert.Throws<InvalidOperationException>(() => acc.Mean(0));
        TensorOps.BatchNorm2dTrain(Tensor.Uniform(new Random(1), 0f, 1f, 2, 4, 3, 3), Tensor.Full(1f, 4), Tensor.Zeros(4), 1e-5f, out var s);
        var e = Assert.Throws<ArgumentException>(() => acc.Add(s));
        Assert.Contains("4 channels", e.Message);
    }

    [Fact]
    public void Train_SingleValuePerChannel_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.BatchNorm2dTrain(Tensor.Zeros(1, 3, 1, 1), Tensor.Full(1f, 3), Tensor.Zeros(3), 1e-5f, out _));
        Assert.Contains("more than 1 value", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => TensorOps.BatchNorm2dTrain(Tensor.Zeros(2, 3, 2, 2), Tensor.Full(1f, 4), Tensor.Zeros(3), 1e-5f, out _));
        Assert.Contains("(4)", e2.Message);
    }
}
