using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;

namespace AecOfa.Nas.Tests.Elastic;

public class ElasticPointwiseConvTests
{
    private const int N = 2, MaxIn = 7, MaxOut = 9, In = 3, Out = 5, H = 3, W = 7, HW = H * W;

    // y[n,o,p] = sum_i w[o,i] x[n,i,p] + b[o], with w read from the (MaxOut, MaxIn) storage.
    private static double[] Reference(double[] x, double[] w, double[] b)
    {
        var y = new double[N * Out * HW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < Out; o++)
                for (int p = 0; p < HW; p++)
                {
                    double s = b[o];
                    for (int i = 0; i < In; i++) s += w[o * MaxIn + i] * x[(n * In + i) * HW + p];
                    y[(n * Out + o) * HW + p] = s;
                }
        return y;
    }

    [Fact]
    public void Forward_and_gradients_use_exactly_the_prefix_slice()
    {
        var rng = new Random(1);
        var layer = new ElasticPointwiseConv(MaxIn, MaxOut, rng, bias: true);
        layer.Bias!.CopyFrom(Tensor.Uniform(rng, -1f, 1f, MaxOut).Span);
        var x = GradCheck.Random(rng, true, N, In, H, W);
        var y = layer.Forward(x, Out);
        Assert.Equal(new[] { N, Out, H, W }, y.Shape);

        double[] xd = GradCheck.ToDouble(x), wd = GradCheck.ToDouble(layer.Weight), bd = GradCheck.ToDouble(layer.Bias);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(y), Reference(xd, wd, bd), GradCheck.ForwardTol);

        var gy = GradCheck.ToDouble(Tensor.Uniform(rng, -1f, 1f, y.Shape));
        y.Backward(Tensor.FromArray(Array.ConvertAll(gy, v => (float)v), y.Shape));
        double Loss() => GradCheck.Dot(Reference(xd, wd, bd), gy);

        var used = Enumerable.Range(0, Out).SelectMany(o => Enumerable.Range(0, In).Select(i => o * MaxIn + i)).ToArray();
        var gw = GradCheck.FiniteDifferences(Loss, wd, used);
        GradCheck.AssertClose("weight gradient", GradCheck.ToDouble(layer.Weight.Grad!), gw, GradCheck.GradTol);
        GradCheck.AssertClose("bias gradient", GradCheck.ToDouble(layer.Bias.Grad!), GradCheck.FiniteDifferences(Loss, bd, Enumerable.Range(0, Out)), GradCheck.GradTol);
        GradCheck.AssertClose("input gradient", GradCheck.ToDouble(x.Grad!), GradCheck.FiniteDifferences(Loss, xd), GradCheck.GradTol);

        // Outside the slice the full-size gradients are exactly zero; inside they are not.
        for (int o = 0; o < MaxOut; o++)
            for (int i = 0; i < MaxIn; i++)
                Assert.True((o < Out && i < In) == (layer.Weight.Grad![o, i, 0, 0] != 0f), $"weight grad at ({o}, {i})");
        for (int o = 0; o < MaxOut; o++) Assert.True((o < Out) == (layer.Bias.Grad!.Data[o] != 0f), $"bias grad at {o}");
    }

    [Fact]
    public void Full_size_equals_a_plain_convolution_with_the_stored_weight()
    {
        var rng = new Random(2);
        var layer = new ElasticPointwiseConv(MaxIn, MaxOut, rng);
        var x = GradCheck.Random(rng, false, N, MaxIn, H, W);
        Assert.Equal(TensorOps.Conv2d(x, layer.Weight).Data, layer.Forward(x, MaxOut).Data);
        Assert.Null(layer.Bias);
        Assert.Equal(new[] { "weight" }, layer.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Rejects_too_many_channels()
    {
        var layer = new ElasticPointwiseConv(MaxIn, MaxOut, new Random(3));
        Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(1, MaxIn + 1, 2, 2), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.Zeros(1, 3, 2, 2), MaxOut + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.Zeros(1, 3, 2, 2), 0));
    }
}
