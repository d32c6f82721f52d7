using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

/// <summary>
/// The op chain an elastic OFA block runs: prefix channel slices of the largest weights, center crop 7 -> 5, the
/// 25x25 kernel transform by MatMul, depthwise conv, batch norm on sliced gamma/beta, h-swish, squeeze-excitation
/// scale. Checks that gradients scatter back into the full-size tensors. The reference gradient here is central
/// differences of a float64 forward (the chain is small enough to difference every coordinate).
/// </summary>
public class ElasticCompositionTests
{
    private const int N = 2, Active = 3, Max = 5, H = 5, W = 9;

    private static Tensor Chain(Tensor x, Tensor w7, Tensor t75, Tensor gamma, Tensor beta)
    {
        var w = TensorOps.Slice(w7, 0, 0, Active);                                   // (3, 1, 7, 7)
        var w5 = TensorOps.CenterCrop2d(w, 5);                                        // (3, 1, 5, 5)
        var tw = TensorOps.Reshape(TensorOps.MatMul(TensorOps.Reshape(w5, Active, 25), t75), Active, 1, 5, 5);
        var y = TensorOps.Conv2d(x, tw, null, stride: 1, padding: 2, groups: Active);
        y = TensorOps.BatchNorm2dTrain(y, TensorOps.Slice(gamma, 0, 0, Active), TensorOps.Slice(beta, 0, 0, Active), 1e-5f, out _);
        y = TensorOps.HardSwish(y);
        var s = TensorOps.HardSigmoid(TensorOps.GlobalAvgPool2d(y));
        return TensorOps.ChannelScale(y, s);
    }

    private static double[] ChainReference(double[][] a)
    {
        double[] x = a[0], w7 = a[1], t = a[2], gamma = a[3], beta = a[4];
        int hw = H * W;
        var y = new double[N * Active * hw];
        for (int c = 0; c < Active; c++)
        {
            // Cropped and transformed 5x5 kernel of channel c.
            var k = new double[25];
            for (int j = 0; j < 25; j++)
                for (int p = 0; p < 25; p++)
                    k[j] += w7[c * 49 + (1 + p / 5) * 7 + 1 + p % 5] * t[p * 25 + j];
            for (int n = 0; n < N; n++)
                for (int i = 0; i < H; i++)
                    for (int jj = 0; jj < W; jj++)
                    {
                        double s = 0;
                        for (int u = 0; u < 5; u++)
                            for (int v = 0; v < 5; v++)
                            {
                                int r = i - 2 + u, q = jj - 2 + v;
                                if (r >= 0 && r < H && q >= 0 && q < W) s += k[u * 5 + v] * x[((n * Active + c) * H + r) * W + q];
                            }
                        y[((n * Active + c) * H + i) * W + jj] = s;
                    }
            double mean = 0, variance = 0;
            for (int n = 0; n < N; n++) for (int e = 0; e < hw; e++) mean += y[(n * Active + c) * hw + e] / (N * hw);
            for (int n = 0; n < N; n++) for (int e = 0; e < hw; e++) variance += Math.Pow(y[(n * Active + c) * hw + e] - mean, 2) / (N * hw);
            for (int n = 0; n < N; n++)
                for (int e = 0; e < hw; e++)
                {
                    int idx = (n * Active + c) * hw + e;
                    double b = (y[idx] - mean) / Math.Sqrt(variance + 1e-5) * gamma[c] + beta[c];
                    y[idx] = b * Math.Clamp(b + 3, 0, 6) / 6;
                }
        }
        for (int p = 0; p < N * Active; p++)
        {
            double m = 0;
            for (int e = 0; e < hw; e++) m += y[p * hw + e] / hw;
            double s = Math.Clamp(m + 3, 0, 6) / 6;
            for (int e = 0; e < hw; e++) y[p * hw + e] *= s;
        }
        return y;
    }

    private static double[]?[] FiniteDifferenceGradients(double[][] a, double[] gy)
    {
        var grads = new double[]?[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            var g = new double[a[i].Length];
            for (int j = 0; j < g.Length; j++)
            {
                double keep = a[i][j], h = 1e-6;
                a[i][j] = keep + h;
                double plus = OpCheck.Dot(ChainReference(a), gy);
                a[i][j] = keep - h;
                double minus = OpCheck.Dot(ChainReference(a), gy);
                a[i][j] = keep;
                g[j] = (plus - minus) / (2 * h);
            }
            grads[i] = g;
        }
        return grads;
    }

    [Fact]
    public void ElasticChain_GradientsReachFullSizeWeights()
    {
        OpCheck.Run(60,
            new[]
            {
                OpInput.Of(N, Active, H, W), OpInput.Of(Max, 1, 7, 7), OpInput.Of(25, 25),
                new OpInput(new[] { Max }, Draw: r => (float)(0.5 + r.NextDouble())), OpInput.Of(Max),
            },
            t => Chain(t[0], t[1], t[2], t[3], t[4]),
            new Reference(ChainReference, FiniteDifferenceGradients));
    }

    [Fact]
    public void ElasticChain_InactiveWeightsGetZeroGradient()
    {
        var rng = new Random(61);
        var w7 = Tensor.Randn(rng, 1f, Max, 1, 7, 7);
        var gamma = Tensor.Full(1f, Max);
        w7.RequiresGrad = gamma.RequiresGrad = true;
        var eye = Tensor.Zeros(25, 25);
        for (int i = 0; i < 25; i++) eye[i, i] = 1f;
        var y = Chain(Tensor.Randn(rng, 1f, N, Active, H, W), w7, eye, gamma, Tensor.Zeros(Max));
        y.Backward(Tensor.Randn(rng, 1f, y.Shape));
        for (int c = 0; c < Max; c++)
            for (int u = 0; u < 7; u++)
                for (int v = 0; v < 7; v++)
                {
                    bool active = c < Active && u >= 1 && u <= 5 && v >= 1 && v <= 5;
                    Assert.True(active ? w7.Grad![c, 0, u, v] != 0f : w7.Grad![c, 0, u, v] == 0f, $"w7 grad at ({c}, {u}, {v})");
                }
        Assert.Equal(0f, gamma.Grad!.Data[Active]);
        Assert.Equal(0f, gamma.Grad!.Data[Max - 1]);
    }
}
