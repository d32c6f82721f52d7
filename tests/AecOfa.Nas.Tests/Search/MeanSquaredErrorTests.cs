using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Search;

namespace AecOfa.Nas.Tests.Search;

public class MeanSquaredErrorTests
{
    [Fact]
    public void Value_and_gradient_match_the_formula()
    {
        var p = new Parameter([1f, 2f, -1f, 0.5f], [4, 1]);
        var t = Tensor.FromArray([0f, 2f, 1f, 1.5f], 4, 1);
        var loss = MeanSquaredError.Loss(p, t);
        Assert.Equal((1 + 0 + 4 + 1) / 4.0, loss.Item(), 6);
        loss.Backward();
        // d/dp mean((p - t)^2) = 2 (p - t) / n
        Assert.Equal([0.5f, 0f, -1f, -0.5f], p.Grad!.Data);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => MeanSquaredError.Loss(p, Tensor.Zeros(3, 1))).ParamName);
    }
}
