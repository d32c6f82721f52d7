using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>Vector helpers shared by the inference kernels: multiply-add and the bias/activation/residual epilogue.</summary>
internal static unsafe class InferenceVector
{
    /// <summary>a · b + c: one fused instruction where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>ReLU or h-swish; h-swish as z · min(max(z + 3, 0), 6) · (1/6): a multiply instead of the training
    /// kernels' divide (which would cost as much as the 1×1 convolution's multiply-adds at 16 input channels), at most
    /// one float rounding apart from them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Activate(Vector256<float> z, FusedActivation act) => act switch
    {
        FusedActivation.ReLU => Vector256.Max(z, Vector256<float>.Zero),
        FusedActivation.HardSwish => Vector256.Min(Vector256.Max(z + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) * Vector256.Create(1f / 6f) * z,
        _ => z,
    };

    /// <summary>Writes the first <paramref name="count"/> (≤ 8) lanes of act(z) (+ residual) to y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> z, float* y, float* residual, FusedActivation act, int count)
    {
        z = Activate(z, act);
        if (count >= 8)
        {
            if (residual != null) z += Vector256.Load(residual);
            Vector256.Store(z, y);
            return;
        }
        for (int i = 0; i < count; i++) y[i] = residual != null ? z.GetElement(i) + residual[i] : z.GetElement(i);
    }
}
