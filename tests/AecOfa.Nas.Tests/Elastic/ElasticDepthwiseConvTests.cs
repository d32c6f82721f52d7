using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;

namespace AecOfa.Nas.Tests.Elastic;

public class ElasticDepthwiseConvTests
{
    private const int N = 2, Max = 4, C = 3, H = 5, W = 7;
    private static readonly int[] Sizes = [3, 5, 7];

    // The k x k kernels of the first C channels: repeated center crop by 2, each followed (if on) by
    // y_q = sum_p crop_p T[q, p]. transforms[0] is 7->5 (25x25), transforms[1] is 5->3 (9x9).
    private static double[] ReferenceKernel(double[] w, double[][] transforms, int k, bool transform)
    {
        var result = new double[C * k * k];
        for (int c = 0; c < C; c++)
        {
            int size = 7;
            var cur = w.AsSpan(c * 49, 49).ToArray();
            for (int step = 0; size > k; step++)
            {
                int next = size - 2;
                var crop = new double[next * next];
                for (int r = 0; r < next; r++)
                    for (int q = 0; q < next; q++) crop[r * next + q] = cur[(r + 1) * size + q + 1];
                if (transform)
                {
                    var t = transforms[step];
                    var y = new double[crop.Length];
                    for (int q = 0; q < crop.Length; q++)
                        for (int p = 0; p < crop.Length; p++) y[q] += crop[p] * t[q * crop.Length + p];
                    crop = y;
                }
                cur = crop;
                size = next;
            }
            cur.CopyTo(result, c * k * k);
        }
        return result;
    }

    // Depthwise convolution, padding k/2, stride s, float64.
    private static double[] ReferenceConv(double[] x, double[] kernel, int k, int s)
    {
        int oh = (H - 1) / s + 1, ow = (W - 1) / s + 1, pad = k / 2;
        var y = new double[N * C * oh * ow];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double acc = 0;
                        for (int u = 0; u < k; u++)
                            for (int v = 0; v < k; v++)
                            {
                                int r = i * s - pad + u, q = j * s - pad + v;
                                if (r >= 0 && r < H && q >= 0 && q < W)
                                    acc += kernel[(c * k + u) * k + v] * x[((n * C + c) * H + r) * W + q];
                            }
                        y[((n * C + c) * oh + i) * ow + j] = acc;
                    }
        return y;
    }

    [Fact]
    public void Transform_matrices_are_named_like_ofa_and_start_at_identity()
    {
        var layer = new ElasticDepthwiseConv(Max, Sizes, new Random(1));
        Assert.Equal(new[] { 7, 5, 3 }, layer.KernelSizes);
        var p = layer.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter);
        Assert.Equal(new[] { "weight", "transform_7to5", "transform_5to3" }, p.Keys);
        Assert.Equal(new[] { Max, 1, 7, 7 }, p["weight"].Shape);
        Assert.Equal(new[] { 25, 25 }, p["transform_7to5"].Shape);
        Assert.Equal(new[] { 9, 9 }, p["transform_5to3"].Shape);
        for (int i = 0; i < 25; i++)
            for (int j = 0; j < 25; j++) Assert.Equal(i == j ? 1f : 0f, layer.Transform(7)[i, j]);
        Assert.Same(p["transform_5to3"], layer.Transform(5));
        Assert.Throws<ArgumentException>(() => layer.Transform(3));

        var off = new ElasticDepthwiseConv(Max, Sizes, new Random(1), useKernelTransform: false);
        Assert.Equal(new[] { "weight" }, off.NamedParameters().Select(x => x.Name));
        Assert.Throws<ArgumentException>(() => off.Transform(7));
    }

    [Theory]
    [InlineData(3, true)] [InlineData(5, true)] [InlineData(3, false)] [InlineData(5, false)]
    public void Untrained_or_disabled_transform_is_a_plain_center_crop(int k, bool transform)
    {
        var rng = new Random(2);
        var layer = new ElasticDepthwiseConv(Max, Sizes, rng, transform);
        var x = GradCheck.Random(rng, false, N, C, H, W);
        var expected = TensorOps.Conv2d(x, TensorOps.CenterCrop2d(TensorOps.Slice(layer.Weight, 0, 0, C), k), null, 1, k / 2, C);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(layer.Forward(x, k)), GradCheck.ToDouble(expected), 1e-6);
    }

    [Theory]
    [InlineData(7, 1, true)] [InlineData(5, 1, true)] [InlineData(3, 1, true)]
    [InlineData(7, 2, true)] [InlineData(5, 2, true)] [InlineData(3, 2, true)]
    [InlineData(3, 1, false)] [InlineData(5, 2, false)]
    public void Forward_and_gradients_match_the_float64_reference(int k, int stride, bool transform)
    {
        var rng = new Random(10 * k + stride);
        var layer = new ElasticDepthwiseConv(Max, Sizes, rng, transform);
        if (transform)
            foreach (int from in new[] { 7, 5 })
            {
                // Away from the identity, so that a wrong orientation (T vs T^T) would show.
                var t = layer.Transform(from);
                for (int i = 0; i < t.Numel; i++) t.Data[i] += 0.2f * (float)(2 * rng.NextDouble() - 1);
            }
        var x = GradCheck.Random(rng, true, N, C, H, W);
        var y = layer.Forward(x, k, stride);
        Assert.Equal(new[] { N, C, (H - 1) / stride + 1, (W - 1) / stride + 1 }, y.Shape);

        double[] xd = GradCheck.ToDouble(x), wd = GradCheck.ToDouble(layer.Weight);
        double[][] td = transform ? [GradCheck.ToDouble(layer.Transform(7)), GradCheck.ToDouble(layer.Transform(5))] : [];
        double[] Forward() => ReferenceConv(xd, ReferenceKernel(wd, td, k, transform), k, stride);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(y), Forward(), GradCheck.ForwardTol);

        var gy = GradCheck.ToDouble(Tensor.Uniform(rng, -1f, 1f, y.Shape));
        y.Backward(Tensor.FromArray(Array.ConvertAll(gy, v => (float)v), y.Shape));
        double Loss() => GradCheck.Dot(Forward(), gy);

        GradCheck.AssertClose("input gradient", GradCheck.ToDouble(x.Grad!), GradCheck.FiniteDifferences(Loss, xd), GradCheck.GradTol);
        GradCheck.AssertClose("weight gradient", GradCheck.ToDouble(layer.Weight.Grad!), GradCheck.FiniteDifferences(Loss, wd), GradCheck.GradTol);

        // Where the weight gradient lands: the first C channels, inside the window the chain reads (the 5x5 center
        // feeds every transformed kernel below 7; without transforms only the k x k center).
        int window = k == 7 ? 7 : transform ? 5 : k, lo = (7 - window) / 2;
        for (int c = 0; c < Max; c++)
            for (int u = 0; u < 7; u++)
                for (int v = 0; v < 7; v++)
                {
                    bool used = c < C && u >= lo && u < lo + window && v >= lo && v < lo + window;
                    Assert.True(used == (layer.Weight.Grad![c, 0, u, v] != 0f), $"weight grad at ({c}, {u}, {v})");
                }

        if (!transform) return;
        // A transform gets a gradient exactly when the chain passes through it.
        var t75 = layer.Transform(7);
        var t53 = layer.Transform(5);
        Assert.Equal(k < 7, t75.Grad is not null);
        Assert.Equal(k < 5, t53.Grad is not null);
        if (t75.Grad is not null)
            GradCheck.AssertClose("7to5 gradient", GradCheck.ToDouble(t75.Grad), GradCheck.FiniteDifferences(Loss, td[0]), GradCheck.GradTol);
        if (t53.Grad is not null)
            GradCheck.AssertClose("5to3 gradient", GradCheck.ToDouble(t53.Grad), GradCheck.FiniteDifferences(Loss, td[1]), GradCheck.GradTol);
    }

    [Fact]
    public void Rejects_bad_choices()
    {
        var layer = new ElasticDepthwiseConv(Max, Sizes, new Random(3));
        var x = Tensor.Zeros(1, C, H, W);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, 9));
        Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(1, Max + 1, H, W), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(x, 3, stride: 0));
        Assert.Throws<ArgumentException>(() => new ElasticDepthwiseConv(Max, [3, 4], new Random(0)));
        Assert.Throws<ArgumentException>(() => new ElasticDepthwiseConv(Max, [3, 3], new Random(0)));
        Assert.Throws<ArgumentException>(() => new ElasticDepthwiseConv(Max, [], new Random(0)));
    }
}
