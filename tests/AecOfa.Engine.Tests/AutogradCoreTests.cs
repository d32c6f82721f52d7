using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests;

public class AutogradCoreTests
{
    [Fact]
    public void Backward_ThroughSharedInput_AccumulatesBothPaths()
    {
        var x = Tensor.FromArray(new[] { 1f, 2f, 3f }, 3);
        x.RequiresGrad = true;
        var y = TensorOps.Mean(TensorOps.Add(x, x)); // d/dx = 2/3
        y.Backward();
        Assert.Equal(new[] { 2f / 3, 2f / 3, 2f / 3 }, x.Grad!.Data);
    }

    [Fact]
    public void Backward_Twice_AccumulatesLeafGradients()
    {
        var x = Tensor.FromArray(new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        TensorOps.Mean(x).Backward();
        TensorOps.Mean(x).Backward();
        Assert.Equal(new[] { 1f, 1f }, x.Grad!.Data);
    }

    [Fact]
    public void Backward_OnFreedGraph_Throws()
    {
        var x = Tensor.FromArray(new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        var y = TensorOps.Mean(TensorOps.Add(x, x));
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", e.Message);
    }

    [Fact]
    public void Backward_OnNonScalarWithoutSeed_Throws()
    {
        var x = Tensor.FromArray(new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        var y = TensorOps.Add(x, x);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("seed", e.Message);
    }

    [Fact]
    public void NoGrad_RecordsNothing()
    {
        var x = Tensor.FromArray(new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        Tensor y;
        using (GradMode.NoGrad()) y = TensorOps.Add(x, x);
        Assert.Null(y.GradFn);
        Assert.False(y.RequiresGrad);
    }
}
