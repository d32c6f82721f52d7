using AecOfa.Engine.Ops.Device;
using System.Numerics.Tensors;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>Element-wise operations (same-shape inputs) with their backward functions.</summary>
public static partial class TensorOps
{
    /// <summary>a + b (same shape). Residual connections use this.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        ShapeUtil.RequireSame("Add", a, b);
        if (!a.IsOnCpu || !b.IsOnCpu) return DeviceOps.Add(a, b);
        var y = Tensor.ForOp(false, a.Shape);
        ElementwiseKernels.Add(a.Span, b.Span, y.Span);
        return Autograd.Record(y, "Add", new[] { a, b }, o =>
        {
            var g = o.Grad!.Span;
            if (a.RequiresGrad) AddInto(a, g);
            if (b.RequiresGrad) AddInto(b, g);
        });
    }

    /// <summary>t.Grad += g, or a copy of g when t has no gradient yet (no clearing pass).</summary>
    private static void AddInto(Tensor t, ReadOnlySpan<float> g)
    {
        var gt = t.GradForWrite(out bool accumulate);
        if (accumulate) ElementwiseKernels.Add(gt, g, gt);
        else ElementwiseKernels.Copy(g, gt);
    }

    /// <summary>Mean of all elements, as a one-element tensor.</summary>
    public static Tensor Mean(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Mean(x);
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
