using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Nn;

public class LayerTests
{
    private static double Std(float[] v)
    {
        double m = v.Average(x => (double)x);
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length);
    }

    [Fact]
    public void Conv2d_InitIsHeFanOut_AndDeterministic()
    {
        var a = new Conv2d(33, 64, 3, new Random(7));
        var b = new Conv2d(33, 64, 3, new Random(7));
        Assert.Equal(a.Weight.Data, b.Weight.Data);
        Assert.Equal(new[] { 64, 33, 3, 3 }, a.Weight.Shape);
        Assert.Equal(Math.Sqrt(2.0 / (64 * 9)), Std(a.Weight.Data), 0.05 * Math.Sqrt(2.0 / (64 * 9)));
        var dw = new Conv2d(96, 96, 7, new Random(8), stride: 2, groups: 96);
        Assert.Equal(new[] { 96, 1, 7, 7 }, dw.Weight.Shape);
        Assert.Equal(3, dw.Padding);
        Assert.Equal(Math.Sqrt(2.0 / 49), Std(dw.Weight.Data), 0.05 * Math.Sqrt(2.0 / 49));
        Assert.Null(a.Bias);
        Assert.Equal(new[] { "weight" }, a.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Conv2d_ForwardIsTheOp_WithBias()
    {
        var conv = new Conv2d(3, 6, 3, new Random(1), stride: 2, groups: 3, bias: true);
        conv.Bias!.Data[4] = 0.5f;
        var x = Tensor.Randn(new Random(2), 1f, 1, 3, 5, 9);
        var expected = TensorOps.Conv2d(x, conv.Weight, conv.Bias, 2, 1, 3);
        Assert.Equal(expected.Data, conv.Forward(x).Data);
        Assert.True(conv.Bias.NoWeightDecay);
        Assert.False(conv.Weight.NoWeightDecay);
    }

    [Fact]
    public void Linear_InitIsUniformWithinBound_BiasZero()
    {
        var lin = new Linear(33, 7, new Random(3));
        double bound = 1 / Math.Sqrt(33);
        Assert.All(lin.Weight.Data, v => Assert.InRange(v, -bound, bound));
        Assert.True(lin.Weight.Data.Max() > bound / 2 && lin.Weight.Data.Min() < -bound / 2);
        Assert.All(lin.Bias!.Data, v => Assert.Equal(0f, v));
        var x = Tensor.Randn(new Random(4), 1f, 3, 33);
        Assert.Equal(TensorOps.Linear(x, lin.Weight, lin.Bias).Data, lin.Forward(x).Data);
    }

    [Fact]
    public void Dropout_Layer_TrainVersusEval()
    {
        var d = new Dropout(0.5f, new Random(5));
        var x = Tensor.Full(1f, 1000);
        Assert.Contains(0f, d.Forward(x).Data);
        d.Eval();
        Assert.Same(x, d.Forward(x));
    }

    [Fact]
    public void Sequential_ChainsLayers_NamesChildrenByIndex()
    {
        var rng = new Random(6);
        var net = new Sequential(new Conv2d(3, 7, 3, rng), new BatchNorm2d(7), new HardSwish(), new GlobalAvgPool2d(), new Linear(7, 5, rng));
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "4.weight", "4.bias" }, net.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { "1.running_mean", "1.running_var" }, net.NamedBuffers().Select(b => b.Name));
        var x = Tensor.Randn(new Random(7), 1f, 3, 3, 5, 9);
        var y = net.Forward(x);
        Assert.Equal(new[] { 3, 5 }, y.Shape);
        TensorOps.Mean(y).Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new BatchNorm2d(3), new NotALayer()));
        Assert.Contains("layer 1", e.Message);
    }

    private sealed class NotALayer : Module { }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("ReLU6")]
    [InlineData("HardSigmoid")]
    [InlineData("HardSwish")]
    [InlineData("Sigmoid")]
    public void ActivationLayer_IsTheOp(string name)
    {
        var x = Tensor.Randn(new Random(8), 4f, 3, 7);
        (ILayer layer, Func<Tensor, Tensor> op) = name switch
        {
            "ReLU" => ((ILayer)new ReLU(), (Func<Tensor, Tensor>)TensorOps.ReLU),
            "ReLU6" => (new ReLU6(), TensorOps.ReLU6),
            "HardSigmoid" => (new HardSigmoid(), TensorOps.HardSigmoid),
            "HardSwish" => (new HardSwish(), TensorOps.HardSwish),
            _ => (new Sigmoid(), TensorOps.Sigmoid),
        };
        Assert.Equal(op(x).Data, layer.Forward(x).Data);
    }
}
