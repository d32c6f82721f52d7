using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>Inverted dropout in training mode, identity in eval mode; masks come from the layer's own generator.</summary>
public sealed class Dropout : Module, ILayer
{
    private readonly Random _rng;

    public Dropout(float p, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}.", nameof(p));
        P = p;
        _rng = rng;
    }

    public float P { get; }

    public Tensor Forward(Tensor x) => TensorOps.Dropout(x, P, _rng, IsTraining);
}
