using AecOfa.Engine.Kernels.Gpu;
using AecOfa.Engine.Ops.Device;
using System.Numerics.Tensors;

namespace AecOfa.Engine.Ops;

/// <summary>
/// Point-wise activations. Derivatives at the kinks follow PyTorch: ReLU passes nothing at 0, ReLU6 and
/// HardSigmoid pass only strictly inside their linear range, HardSwish uses x/3 + 1/2 on [-3, 3].
/// </summary>
public static partial class TensorOps
{
    public static Tensor ReLU(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Activation(x, GpuActivation.ReLU, "ReLU");
        var y = Tensor.ForOp(false, x.Shape);
        Kernels.ActivationKernels.ReluForward(x.Span, y.Span);
        return Autograd.Record(y, "ReLU", new[] { x }, o =>
        {
            var gx = x.GradForWrite(out bool accumulate);
            Kernels.ActivationKernels.ReluBackward(x.Span, o.Grad!.Span, gx, accumulate);
        });
    }

    /// <summary>min(max(x, 0), 6).</summary>
    public static Tensor ReLU6(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Activation(x, GpuActivation.ReLU6, "ReLU6");
        var y = Tensor.ForOp(false, x.Shape);
        TensorPrimitives.Max(x.Span, 0f, y.Span);
        TensorPrimitives.Min(y.Span, 6f, y.Span);
        return Autograd.Record(y, "ReLU6", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Span;
            var xs = x.Span;
            for (int i = 0; i < gx.Length; i++) if (xs[i] > 0f && xs[i] < 6f) gx[i] += gy[i];
        });
    }

    /// <summary>relu6(x + 3) / 6.</summary>
    public static Tensor HardSigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Activation(x, GpuActivation.HardSigmoid, "HardSigmoid");
        var y = Tensor.ForOp(false, x.Shape);
        var xs = x.Data;
        HardSigmoidInto(xs, y.Span);
        return Autograd.Record(y, "HardSigmoid", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Span;
            for (int i = 0; i < gx.Length; i++) if (xs[i] > -3f && xs[i] < 3f) gx[i] += gy[i] * (1f / 6f);
        });
    }

    /// <summary>x * relu6(x + 3) / 6 (h-swish of MobileNetV3).</summary>
    public static Tensor HardSwish(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Activation(x, GpuActivation.HardSwish, "HardSwish");
        var y = Tensor.ForOp(false, x.Shape);
        Kernels.ActivationKernels.HardSwishForward(x.Span, y.Span);
        return Autograd.Record(y, "HardSwish", new[] { x }, o =>
        {
            var gx = x.GradForWrite(out bool accumulate);
            Kernels.ActivationKernels.HardSwishBackward(x.Span, o.Grad!.Span, gx, accumulate);
        });
    }

    public static Tensor Sigmoid(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.IsOnCpu) return DeviceOps.Activation(x, GpuActivation.Sigmoid, "Sigmoid");
        var y = Tensor.ForOp(false, x.Shape);
        TensorPrimitives.Sigmoid(x.Span, y.Span);
        return Autograd.Record(y, "Sigmoid", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Span;
            var ys = y.Span;
            for (int i = 0; i < gx.Length; i++) gx[i] += gy[i] * ys[i] * (1f - ys[i]);
        });
    }

    /// <summary>y = min(max(x + 3, 0), 6) / 6, vectorized pass by pass.</summary>
    private static void HardSigmoidInto(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Add(x, 3f, y);
        TensorPrimitives.Max(y, 0f, y);
        TensorPrimitives.Min(y, 6f, y);
        TensorPrimitives.Divide(y, 6f, y);
    }
}
