using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>(N, ...) -> (N, rest), sharing storage.</summary>
public sealed class Flatten : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.Flatten(x);
}
