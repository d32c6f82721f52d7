using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;

namespace AecOfa.Nas.Tests.Elastic;

public class ElasticBatchNormTests
{
    private const int N = 2, Max = 6, C = 3, H = 3, W = 5, HW = H * W;
    private const double Eps = 1e-5;

    // Training-mode BN on the first C channels with biased batch variance, float64.
    private static double[] Reference(double[] x, double[] gamma, double[] beta)
    {
        var y = new double[x.Length];
        for (int c = 0; c < C; c++)
        {
            double mean = 0, variance = 0;
            for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) mean += x[(n * C + c) * HW + p];
            mean /= N * HW;
            for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) variance += Math.Pow(x[(n * C + c) * HW + p] - mean, 2);
            variance /= N * HW;
            for (int n = 0; n < N; n++)
                for (int p = 0; p < HW; p++)
                {
                    int i = (n * C + c) * HW + p;
                    y[i] = (x[i] - mean) / Math.Sqrt(variance + Eps) * gamma[c] + beta[c];
                }
        }
        return y;
    }

    private static ElasticBatchNorm RandomLayer(Random rng)
    {
        var bn = new ElasticBatchNorm(Max);
        bn.Weight.CopyFrom(Tensor.Uniform(rng, 0.5f, 1.5f, Max).Span);
        bn.Bias.CopyFrom(Tensor.Uniform(rng, -1f, 1f, Max).Span);
        return bn;
    }

    [Fact]
    public void Training_forward_and_gradients_use_the_first_channels_only()
    {
        var rng = new Random(1);
        var bn = RandomLayer(rng);
        var x = GradCheck.Random(rng, true, N, C, H, W);
        var y = bn.Forward(x);
        double[] xd = GradCheck.ToDouble(x), gd = GradCheck.ToDouble(bn.Weight), bd = GradCheck.ToDouble(bn.Bias);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(y), Reference(xd, gd, bd), GradCheck.ForwardTol);

        var gy = GradCheck.ToDouble(Tensor.Uniform(rng, -1f, 1f, y.Shape));
        y.Backward(Tensor.FromArray(Array.ConvertAll(gy, v => (float)v), y.Shape));
        double Loss() => GradCheck.Dot(Reference(xd, gd, bd), gy);
        var used = Enumerable.Range(0, C);
        GradCheck.AssertClose("gamma gradient", GradCheck.ToDouble(bn.Weight.Grad!), GradCheck.FiniteDifferences(Loss, gd, used), GradCheck.GradTol);
        GradCheck.AssertClose("beta gradient", GradCheck.ToDouble(bn.Bias.Grad!), GradCheck.FiniteDifferences(Loss, bd, used), GradCheck.GradTol);
        GradCheck.AssertClose("input gradient", GradCheck.ToDouble(x.Grad!), GradCheck.FiniteDifferences(Loss, xd), GradCheck.GradTol);
        for (int c = 0; c < Max; c++)
        {
            Assert.True((c < C) == (bn.Weight.Grad!.Data[c] != 0f), $"gamma grad at {c}");
            Assert.True((c < C) == (bn.Bias.Grad!.Data[c] != 0f), $"beta grad at {c}");
        }
    }

    [Fact]
    public void Training_updates_only_the_first_running_statistics()
    {
        var rng = new Random(2);
        var bn = RandomLayer(rng);
        var x = GradCheck.Random(rng, false, N, C, H, W);
        bn.Forward(x);
        for (int c = 0; c < Max; c++)
        {
            if (c >= C)
            {
                Assert.Equal((0f, 1f), (bn.RunningMean.Data[c], bn.RunningVar.Data[c]));
                continue;
            }
            double mean = 0, m2 = 0;
            for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) mean += x.Data[(n * C + c) * HW + p];
            mean /= N * HW;
            for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) m2 += Math.Pow(x.Data[(n * C + c) * HW + p] - mean, 2);
            Assert.Equal(0.1 * mean, bn.RunningMean.Data[c], 1e-6);
            Assert.Equal(0.9 + 0.1 * m2 / (N * HW - 1), bn.RunningVar.Data[c], 1e-6);
        }
    }

    [Fact]
    public void Eval_uses_the_first_running_statistics()
    {
        var rng = new Random(3);
        var bn = RandomLayer(rng);
        bn.RunningMean.CopyFrom(Tensor.Uniform(rng, -1f, 1f, Max).Span);
        bn.RunningVar.CopyFrom(Tensor.Uniform(rng, 0.5f, 2f, Max).Span);
        bn.Eval();
        const int c4 = 4;
        var x = GradCheck.Random(rng, false, N, c4, H, W);
        var y = bn.Forward(x);
        var expected = new double[x.Numel];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < c4; c++)
                for (int p = 0; p < HW; p++)
                {
                    int i = (n * c4 + c) * HW + p;
                    expected[i] = (x.Data[i] - (double)bn.RunningMean.Data[c]) / Math.Sqrt(bn.RunningVar.Data[c] + Eps) * bn.Weight.Data[c] + bn.Bias.Data[c];
                }
        GradCheck.AssertClose("eval forward", GradCheck.ToDouble(y), expected, GradCheck.ForwardTol);
    }

    [Fact]
    public void Recalibration_gathers_exact_statistics_of_the_active_channels()
    {
        var rng = new Random(4);
        var bn = RandomLayer(rng);
        float[] meanBefore = bn.RunningMean.Data.ToArray(), varBefore = bn.RunningVar.Data.ToArray();
        var acc = new BatchNormStatsAccumulator(C);
        var a = GradCheck.Random(rng, false, 2, C, H, W);
        var b = GradCheck.Random(rng, false, 3, C, H, W);
        bn.ForwardRecalibrate(a, acc);
        bn.ForwardRecalibrate(b, acc);
        Assert.Equal(meanBefore, bn.RunningMean.Data); // untouched until loaded
        Assert.Equal(varBefore, bn.RunningVar.Data);
        bn.LoadRunningStatistics(acc);
        for (int c = 0; c < Max; c++)
        {
            if (c >= C)
            {
                Assert.Equal((0f, 1f), (bn.RunningMean.Data[c], bn.RunningVar.Data[c]));
                continue;
            }
            var values = new List<double>();
            foreach (var t in new[] { a, b })
                for (int n = 0; n < t.Shape[0]; n++)
                    for (int p = 0; p < HW; p++) values.Add(t.Data[(n * C + c) * HW + p]);
            double mean = values.Average(), variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
            Assert.Equal(mean, bn.RunningMean.Data[c], 1e-6);
            Assert.Equal(variance, bn.RunningVar.Data[c], 1e-6);
        }
        Assert.Throws<ArgumentException>(() => bn.ForwardRecalibrate(GradCheck.Random(rng, false, 1, C + 1, 2, 2), acc));
    }

    [Fact]
    public void Rejects_too_many_channels()
    {
        var bn = new ElasticBatchNorm(Max);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, Max + 1, 2, 2)));
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, Max)));
    }
}
