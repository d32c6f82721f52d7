using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>Scalars of one device optimizer update (computed on the host as the CPU optimizers do).</summary>
internal struct OptimizerStep
{
    public float Lr, Wd, Momentum, Keep, Beta1, Beta2, Eps, Decay, StepSize, Bias2Sqrt;
    public int First, Nesterov;
}

/// <summary>
/// The optimizers' per-element updates on the device, the same float32 operations in the same order as
/// OptimizerKernels (no fused multiply-add is asked for; a GPU compiler may still contract, so parity is within tolerance).
/// </summary>
internal static class OptimizerGpu
{
    /// <summary>SGD: g = grad + wd p; with momentum buf = first ? g : mu buf + keep g, g = nesterov ? g + mu buf : buf; p -= lr g.</summary>
    [GpuKernel]
    private static void SgdKernel(Index1D i, ArrayView<float> p, ArrayView<float> grad, ArrayView<float> buf, OptimizerStep s, int momentum)
    {
        float g = grad[i] + s.Wd * p[i];
        if (momentum != 0)
        {
            float b = s.First != 0 ? g : s.Momentum * buf[i] + s.Keep * g;
            buf[i] = b;
            g = s.Nesterov != 0 ? g + s.Momentum * b : b;
        }
        p[i] -= s.Lr * g;
    }

    /// <summary>AdamW: p *= decay; m = lerp(m, g, 1 - b1); v = b2 v + (1 - b2) g^2; p -= stepSize m / (sqrt(v) / bias2Sqrt + eps).</summary>
    [GpuKernel]
    private static void AdamWKernel(Index1D i, ArrayView<float> p, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, OptimizerStep s)
    {
        float g = grad[i];
        float pi = p[i] * s.Decay;
        float mi = m[i] + (1f - s.Beta1) * (g - m[i]);
        float vi = s.Beta2 * v[i] + (1f - s.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - s.StepSize * (mi / (XMath.Sqrt(vi) / s.Bias2Sqrt + s.Eps));
    }

    /// <summary>One SGD update; <paramref name="buffer"/> is the momentum buffer (ignored without momentum).</summary>
    public static void Sgd(GpuContext gpu, ArrayView<float> p, ArrayView<float> grad, ArrayView<float> buffer, OptimizerStep s, bool momentum)
        => gpu.Kernel("Optimizer.Sgd", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerStep, int>(SgdKernel))(
            (int)p.Length, p, grad, buffer, s, momentum ? 1 : 0);

    public static void AdamW(GpuContext gpu, ArrayView<float> p, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, OptimizerStep s)
        => gpu.Kernel("Optimizer.AdamW", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerStep>(AdamWKernel))(
            (int)p.Length, p, grad, m, v, s);
}
