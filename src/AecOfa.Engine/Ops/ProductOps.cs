using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

/// <summary>Products: element-wise Mul and the per-(sample, channel) scale of squeeze-excitation.</summary>
public static partial class TensorOps
{
    /// <summary>a * b element-wise (same shape).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ShapeUtil.RequireSame("Mul", a, b);
        if (!a.IsOnCpu || !b.IsOnCpu) return DeviceOps.Mul(a, b);
        var y = Tensor.ForOp(false, a.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(a.Span, b.Span, y.Span);
        return Autograd.Record(y, "Mul", new[] { a, b }, o =>
        {
            var g = o.Grad!.Span;
            if (a.RequiresGrad) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, b.Span, a.GradForAccumulate(), a.GradForAccumulate());
            if (b.RequiresGrad) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, a.Span, b.GradForAccumulate(), b.GradForAccumulate());
        });
    }

    /// <summary>
    /// y[n, c, h, w] = x[n, c, h, w] * s[n, c]: x (N, C, H, W), s (N, C). Gradients flow into both
    /// (ds[n, c] = sum over h, w of dy * x, summed per plane in a fixed order: deterministic).
    /// </summary>
    public static Tensor ChannelScale(Tensor x, Tensor s)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(s);
        ShapeUtil.RequireRank("ChannelScale", "x", x, 4);
        if (s.Rank != 2 || s.Shape[0] != x.Shape[0] || s.Shape[1] != x.Shape[1])
            throw new ArgumentException($"ChannelScale: s must have shape (N, C) = ({x.Shape[0]}, {x.Shape[1]}) for x {ShapeUtil.Format(x.Shape)}, got {ShapeUtil.Format(s.Shape)}.", nameof(s));
        if (!x.IsOnCpu || !s.IsOnCpu) return DeviceOps.ChannelScale(x, s);
        int planes = s.Numel, hw = x.Shape[2] * x.Shape[3];
        var y = Tensor.ForOp(false, x.Shape);
        var xs = x.Data;
        var ss = s.Data;
        var ys = y.Data;
        for (int p = 0; p < planes; p++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(xs.AsSpan(p * hw, hw), ss[p], ys.AsSpan(p * hw, hw));
        return Autograd.Record(y, "ChannelScale", new[] { x, s }, o =>
        {
            // One pass over gy and x for both gradients (ds per plane in a fixed order: deterministic).
            bool accumulate = false;
            var gx = x.RequiresGrad ? x.GradForWrite(out accumulate) : default;
            var gs = s.RequiresGrad ? s.GradForAccumulate() : default;
            Kernels.PlaneKernels.ScaleBackward(xs, ss, o.Grad!.Span, planes, hw, gx, accumulate, gs);
        });
    }
}
