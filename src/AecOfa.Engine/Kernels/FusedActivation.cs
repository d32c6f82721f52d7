using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// An activation applied inside another kernel's element pass (batch norm), so that the pre-activation tensor and
/// the activation's own passes over memory disappear. Semantics as the stand-alone ops (PyTorch's kinks).
/// </summary>
public enum FusedActivation
{
    None = 0,
    ReLU = 1,
    HardSwish = 2,
}

/// <summary>Per-vector and per-element forward and derivative of a <see cref="FusedActivation"/> (same float ops as ActivationKernels).</summary>
internal static class FusedActivationMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Forward(Vector256<float> z, FusedActivation act)
    {
        switch (act)
        {
            case FusedActivation.ReLU:
                return Vector256.Max(z, Vector256<float>.Zero);
            case FusedActivation.HardSwish:
                var six = Vector256.Create(6f);
                return Vector256.Min(Vector256.Max(z + Vector256.Create(3f), Vector256<float>.Zero), six) / six * z;
            default:
                return z;
        }
    }

    /// <summary>dL/dz for dL/dy = g at pre-activation z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Gradient(Vector256<float> z, Vector256<float> g, FusedActivation act)
    {
        switch (act)
        {
            case FusedActivation.ReLU:
                return Vector256.BitwiseAnd(g, Vector256.GreaterThan(z, Vector256<float>.Zero));
            case FusedActivation.HardSwish:
                var inner = g * (z * Vector256.Create(1f / 3f) + Vector256.Create(0.5f));
                var r = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(z, Vector256.Create(3f)), inner, g);
                return Vector256.BitwiseAnd(r, Vector256.GreaterThanOrEqual(z, Vector256.Create(-3f)));
            default:
                return g;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Forward(float z, FusedActivation act) => act switch
    {
        FusedActivation.ReLU => ActivationKernels.ReluScalar(z),
        FusedActivation.HardSwish => ActivationKernels.HardSwishScalar(z),
        _ => z,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gradient(float z, float g, FusedActivation act) => act switch
    {
        FusedActivation.ReLU => ActivationKernels.ReluGradScalar(z, g),
        FusedActivation.HardSwish => ActivationKernels.HardSwishGradScalar(z, g),
        _ => g,
    };
}
