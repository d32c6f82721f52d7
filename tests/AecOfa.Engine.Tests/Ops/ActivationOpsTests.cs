using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class ActivationOpsTests
{
    /// <summary>A point-wise reference from f and its derivative f'.</summary>
    private static Reference Pointwise(Func<double, double> f, Func<double, double> df) => new(
        x => Array.ConvertAll(x[0], v => f(v)),
        (x, gy) =>
        {
            var g = new double[gy.Length];
            for (int i = 0; i < g.Length; i++) g[i] = gy[i] * df(x[0][i]);
            return new double[]?[] { g };
        });

    private static double Relu6(double v) => Math.Min(Math.Max(v, 0), 6);

    public static TheoryData<string, int[]> Cases()
    {
        var d = new TheoryData<string, int[]>();
        foreach (var name in new[] { "ReLU", "ReLU6", "HardSigmoid", "HardSwish", "Sigmoid" })
        {
            d.Add(name, new[] { 1, 1, 5, 9 });
            d.Add(name, new[] { 3, 7, 17, 31 });
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Activation_MatchesReference(string name, int[] shape)
    {
        (Func<Tensor, Tensor> op, Reference reference) = name switch
        {
            "ReLU" => ((Func<Tensor, Tensor>)TensorOps.ReLU, Pointwise(v => Math.Max(v, 0), v => v > 0 ? 1 : 0)),
            "ReLU6" => (TensorOps.ReLU6, Pointwise(Relu6, v => v > 0 && v < 6 ? 1 : 0)),
            "HardSigmoid" => (TensorOps.HardSigmoid, Pointwise(v => Relu6(v + 3) / 6, v => v > -3 && v < 3 ? 1.0 / 6 : 0)),
            "HardSwish" => (TensorOps.HardSwish, Pointwise(v => v * Relu6(v + 3) / 6, v => v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5)),
            "Sigmoid" => (TensorOps.Sigmoid, Pointwise(v => 1 / (1 + Math.Exp(-v)), v => Math.Exp(-v) / Math.Pow(1 + Math.Exp(-v), 2))),
            _ => throw new ArgumentException(name),
        };
        // std 4 puts values on both sides of every kink (0, 6, -3, 3).
        OpCheck.Run(10, new[] { new OpInput(shape, Draw: OpCheck.Normal(4)) }, t => op(t[0]), reference);
    }

    [Fact]
    public void HardSwish_KnownValues()
    {
        var y = TensorOps.HardSwish(Tensor.FromArray(new[] { -4f, -3f, 0f, 1f, 3f, 5f }, 6));
        Assert.Equal(new[] { 0f, 0f, 0f, 1f * 4f / 6f, 3f, 5f }, y.Data);
    }
}
