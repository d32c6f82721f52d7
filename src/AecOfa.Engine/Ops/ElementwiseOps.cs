using System.Numerics.Tensors;

namespace AecOfa.Engine.Ops;

/// <summary>Element-wise operations (same-shape inputs) with their backward functions.</summary>
public static partial class TensorOps
{
    /// <summary>a + b (same shape). Residual connections use this.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        ShapeUtil.RequireSame("Add", a, b);
        var y = Tensor.ForOp(false, a.Shape);
        TensorPrimitives.Add(a.Span, b.Span, y.Span);
        return Autograd.Record(y, "Add", new[] { a, b }, o =>
        {
            var g = o.Grad!.Span;
            if (a.RequiresGrad) TensorPrimitives.Add(a.GradForAccumulate(), g, a.GradForAccumulate());
            if (b.RequiresGrad) TensorPrimitives.Add(b.GradForAccumulate(), g, b.GradForAccumulate());
        });
    }

    /// <summary>Mean of all elements, as a one-element tensor.</summary>
    public static Tensor Mean(Tensor x)
    {
        float mean = (float)(SumDouble(x.Span) / x.Numel);
        var y = Tensor.Scalar(mean);
        return Autograd.Record(y, "Mean", new[] { x }, o =>
        {
            float g = o.Grad!.Data[0] / x.Numel;
            var gx = x.GradForAccumulate();
            for (int i = 0; i < gx.Length; i++) gx[i] += g;
        });
    }

    /// <summary>Sum in float64 in index order: deterministic regardless of SIMD width.</summary>
    internal static double SumDouble(ReadOnlySpan<float> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i];
        return s;
    }
}
