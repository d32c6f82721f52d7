using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class ShapeOpsTests
{
    private static Reference Identity() => new(
        x => (double[])x[0].Clone(),
        (x, gy) => new double[]?[] { (double[])gy.Clone() });

    [Theory]
    [InlineData(new[] { 3, 7, 5, 9 }, new[] { 21, -1 })]
    [InlineData(new[] { 1, 33 }, new[] { 3, 11 })]
    public void Reshape_MatchesIdentityReference(int[] shape, int[] target)
    {
        OpCheck.Run(1, new[] { OpInput.Of(shape) }, t => TensorOps.Reshape(t[0], target), Identity());
        var y = TensorOps.Reshape(Tensor.Zeros(shape), target);
        Assert.Equal(OpCheck.Numel(shape), y.Numel);
    }

    [Fact]
    public void Flatten_KeepsBatchAxis()
    {
        OpCheck.Run(2, new[] { OpInput.Of(3, 7, 5, 9) }, t =>
        {
            var y = TensorOps.Flatten(t[0]);
            Assert.Equal(new[] { 3, 315 }, y.Shape);
            return y;
        }, Identity());
    }

    [Fact]
    public void Reshape_WrongCount_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.Reshape(Tensor.Zeros(3, 5), 4, 4));
        Assert.Contains("Reshape", e.Message);
        Assert.Contains("(3, 5)", e.Message);
    }

    /// <summary>Naive slice over a row-major tensor: decode every output index.</summary>
    private static Reference SliceReference(int[] shape, int axis, int start, int length)
    {
        var outShape = (int[])shape.Clone();
        outShape[axis] = length;
        int SourceIndex(int outIdx)
        {
            int rem = outIdx, src = 0, stride = 1;
            var idx = new int[shape.Length];
            for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = rem % outShape[d]; rem /= outShape[d]; }
            idx[axis] += start;
            for (int d = shape.Length - 1; d >= 0; d--) { src += idx[d] * stride; stride *= shape[d]; }
            return src;
        }
        int n = OpCheck.Numel(outShape);
        return new Reference(
            x => { var y = new double[n]; for (int i = 0; i < n; i++) y[i] = x[0][SourceIndex(i)]; return y; },
            (x, gy) => { var g = new double[x[0].Length]; for (int i = 0; i < n; i++) g[SourceIndex(i)] += gy[i]; return new double[]?[] { g }; });
    }

    [Theory]
    [InlineData(new[] { 7, 3, 5, 5 }, 0, 0, 4)]   // prefix of output channels of a weight
    [InlineData(new[] { 7, 33, 1, 1 }, 1, 0, 17)] // prefix of input channels
    [InlineData(new[] { 3, 7, 5, 9 }, 1, 2, 3)]   // activation channels, not a prefix
    [InlineData(new[] { 33 }, 0, 0, 7)]           // BN gamma prefix
    [InlineData(new[] { 3, 7, 5, 9 }, 3, 8, 1)]   // last axis, last element
    public void Slice_MatchesReference(int[] shape, int axis, int start, int length)
        => OpCheck.Run(3, new[] { OpInput.Of(shape) }, t => TensorOps.Slice(t[0], axis, start, length), SliceReference(shape, axis, start, length));

    [Fact]
    public void Slice_TwiceOfSameParent_AccumulatesBoth()
    {
        var w = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 4);
        w.RequiresGrad = true;
        var y = TensorOps.Add(TensorOps.Slice(w, 0, 0, 2), TensorOps.Slice(w, 0, 1, 2));
        y.Backward(Tensor.FromArray(new[] { 1f, 10f }, 2));
        Assert.Equal(new[] { 1f, 11f, 10f, 0f }, w.Grad!.Data);
    }

    [Fact]
    public void Slice_OutOfRange_ThrowsNamingShape()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.Slice(Tensor.Zeros(3, 7), 1, 5, 3));
        Assert.Contains("Slice", e.Message);
        Assert.Contains("(3, 7)", e.Message);
    }

    private static Reference CropReference(int[] shape, int size)
    {
        int h = shape[^2], w = shape[^1], planes = OpCheck.Numel(shape) / (h * w);
        int top = (h - size) / 2, left = (w - size) / 2;
        int Src(int i)
        {
            int p = i / (size * size), r = i / size % size, c = i % size;
            return p * h * w + (top + r) * w + left + c;
        }
        int n = planes * size * size;
        return new Reference(
            x => { var y = new double[n]; for (int i = 0; i < n; i++) y[i] = x[0][Src(i)]; return y; },
            (x, gy) => { var g = new double[x[0].Length]; for (int i = 0; i < n; i++) g[Src(i)] += gy[i]; return new double[]?[] { g }; });
    }

    [Theory]
    [InlineData(new[] { 7, 1, 7, 7 }, 5)]
    [InlineData(new[] { 3, 1, 5, 5 }, 3)]
    [InlineData(new[] { 33, 1, 7, 7 }, 3)]
    [InlineData(new[] { 1, 7, 9 }, 5)]
    public void CenterCrop2d_MatchesReference(int[] shape, int size)
        => OpCheck.Run(4, new[] { OpInput.Of(shape) }, t => TensorOps.CenterCrop2d(t[0], size), CropReference(shape, size));

    [Fact]
    public void CenterCrop2d_ChainedCrops_EqualDirectCrop()
    {
        var w = Tensor.Randn(new Random(5), 1f, 3, 1, 7, 7);
        var a = TensorOps.CenterCrop2d(TensorOps.CenterCrop2d(w, 5), 3);
        var b = TensorOps.CenterCrop2d(w, 3);
        Assert.Equal(b.Data, a.Data);
        Assert.Equal(w[1, 0, 3, 3], b[1, 0, 1, 1]);
    }

    [Fact]
    public void CenterCrop2d_OddMargin_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.CenterCrop2d(Tensor.Zeros(2, 1, 7, 7), 4));
        Assert.Contains("CenterCrop2d", e.Message);
    }
}
