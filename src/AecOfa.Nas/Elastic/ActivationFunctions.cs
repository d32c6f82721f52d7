using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Elastic;

/// <summary>Applies a stage's <see cref="Activation"/>.</summary>
public static class ActivationFunctions
{
    public static Tensor Apply(Activation activation, Tensor x) => activation switch
    {
        Activation.Relu => TensorOps.ReLU(x),
        Activation.Hswish => TensorOps.HardSwish(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
