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

    /// <summary>Writes the first <paramref name="count"/> (≤ 8) lanes of act(z) (+ residual) to y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> z, float* y, float* residual, FusedActivation act, int count)
    {
        z = FusedActivationMath.Forward(z, act);
        if (count >= 8)
        {
            if (residual != null) z += Vector256.Load(residual);
            Vector256.Store(z, y);
            return;
        }
        for (int i = 0; i < count; i++) y[i] = residual != null ? z.GetElement(i) + residual[i] : z.GetElement(i);
    }
}
