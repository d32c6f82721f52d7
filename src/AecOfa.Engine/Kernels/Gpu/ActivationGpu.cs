using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>Which activation a device kernel applies (the first values equal <see cref="FusedActivation"/>'s).</summary>
internal enum GpuActivation
{
    None = 0,
    ReLU = 1,
    HardSwish = 2,
    ReLU6 = 3,
    HardSigmoid = 4,
    Sigmoid = 5,
}

/// <summary>
/// Point-wise activations on the device, forward and backward, with the CPU ops' semantics at the kinks (PyTorch's):
/// ReLU passes nothing at 0, ReLU6 / HardSigmoid only strictly inside their linear range, HardSwish x/3 + 1/2 on [-3, 3].
/// The math is shared with the fused batch-norm kernels.
/// </summary>
internal static class ActivationGpu
{
    /// <summary>act(z).</summary>
    public static float Forward(float z, int kind)
    {
        switch (kind)
        {
            case (int)GpuActivation.ReLU: return z > 0f ? z : 0f;
            case (int)GpuActivation.HardSwish: return z * Relu6(z + 3f) / 6f;
            case (int)GpuActivation.ReLU6: return Relu6(z);
            case (int)GpuActivation.HardSigmoid: return Relu6(z + 3f) / 6f;
            case (int)GpuActivation.Sigmoid: return 1f / (1f + XMath.Exp(-z));
            default: return z;
        }
    }

    /// <summary>dL/dz for dL/dy = g at pre-activation z.</summary>
    public static float Gradient(float z, float g, int kind)
    {
        switch (kind)
        {
            case (int)GpuActivation.ReLU: return z > 0f ? g : 0f;
            case (int)GpuActivation.HardSwish: return z < -3f ? 0f : z > 3f ? g : g * (z / 3f + 0.5f);
            case (int)GpuActivation.ReLU6: return z > 0f && z < 6f ? g : 0f;
            case (int)GpuActivation.HardSigmoid: return z > -3f && z < 3f ? g * (1f / 6f) : 0f;
            case (int)GpuActivation.Sigmoid:
                float s = 1f / (1f + XMath.Exp(-z));
                return g * s * (1f - s);
            default: return g;
        }
    }

    private static float Relu6(float v) => v < 0f ? 0f : v > 6f ? 6f : v;

    [GpuKernel]
    private static void ForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, int kind) => y[i] = Forward(x[i], kind);

    [GpuKernel]
    private static void BackwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gx, int kind, int accumulate)
    {
        float g = Gradient(x[i], gy[i], kind);
        gx[i] = accumulate != 0 ? gx[i] + g : g;
    }

    public static void Forward(GpuContext gpu, ArrayView<float> x, ArrayView<float> y, GpuActivation kind)
    {
        if (y.Length == 0) return;
        gpu.Kernel("Activation.Forward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ForwardKernel))((int)y.Length, x, y, (int)kind);
    }

    /// <summary>gx = act'(x) * gy, added into gx when <paramref name="accumulate"/>.</summary>
    public static void Backward(GpuContext gpu, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> gx, GpuActivation kind, bool accumulate)
    {
        if (gx.Length == 0) return;
        gpu.Kernel("Activation.Backward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(BackwardKernel))(
            (int)gx.Length, x, gy, gx, (int)kind, accumulate ? 1 : 0);
    }
}
