using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>(N, C, H, W) -> (N, C) spatial mean.</summary>
public sealed class GlobalAvgPool2d : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.GlobalAvgPool2d(x);
}
