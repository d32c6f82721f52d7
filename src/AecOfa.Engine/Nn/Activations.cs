using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>Activation layers (no parameters): thin wrappers over the <see cref="TensorOps"/> activations.</summary>
public sealed class ReLU : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.ReLU(x);
}

public sealed class ReLU6 : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.ReLU6(x);
}

public sealed class HardSigmoid : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.HardSigmoid(x);
}

public sealed class HardSwish : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.HardSwish(x);
}

public sealed class Sigmoid : Module, ILayer
{
    public Tensor Forward(Tensor x) => TensorOps.Sigmoid(x);
}
