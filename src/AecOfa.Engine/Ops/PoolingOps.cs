using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

/// <summary>Pooling over the spatial axes.</summary>
public static partial class TensorOps
{
    /// <summary>(N, C, H, W) -> (N, C): mean over H and W (plane sums in a fixed order: deterministic).</summary>
    public static Tensor GlobalAvgPool2d(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        ShapeUtil.RequireRank("GlobalAvgPool2d", "x", x, 4);
        if (!x.IsOnCpu) return DeviceOps.GlobalAvgPool2d(x);
        int planes = x.Shape[0] * x.Shape[1], hw = x.Shape[2] * x.Shape[3];
        var y = Tensor.ForOp(false, x.Shape[0], x.Shape[1]);
        var xs = x.Data;
        var ys = y.Data;
        Kernels.PlaneKernels.Means(xs, planes, hw, ys);
        return Autograd.Record(y, "GlobalAvgPool2d", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Data;
            float inv = 1f / hw;
            for (int p = 0; p < planes; p++)
            {
                var dst = gx.Slice(p * hw, hw);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, gy[p] * inv, dst);
            }
        });
    }
}
