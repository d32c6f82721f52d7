using AecOfa.Engine.Kernels;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Elastic;

/// <summary>The one mapping from a stage's <see cref="Activation"/> to the engine's fused BN + activation.</summary>
public static class ActivationFunctions
{
    public static FusedActivation ToFused(Activation activation) => activation switch
    {
        Activation.Relu => FusedActivation.ReLU,
        Activation.Hswish => FusedActivation.HardSwish,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
