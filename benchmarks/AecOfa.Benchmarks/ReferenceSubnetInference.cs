using AecOfa.Engine;

namespace AecOfa.Benchmarks;

/// <summary>Single-clip eval forward (no grad, batch 1) of a reference subnet, inside an arena scope (no garbage).</summary>
public sealed class ReferenceSubnetInference
{
    private readonly float[] _logits = new float[ReferenceSubnetSpec.Classes];

    public ReferenceSubnetInference(ReferenceSubnetSpec spec, int seed = 0)
    {
        var rng = new Random(seed);
        Net = new ReferenceSubnet(spec, rng);
        Net.Eval();
        Clip = Tensor.Randn(rng, 1f, 1, 1, ReferenceSubnetSpec.InputH, ReferenceSubnetSpec.InputW);
    }

    public ReferenceSubnet Net { get; }
    public Tensor Clip { get; }
    public TensorArena Arena { get; } = new();

    /// <summary>Logits of the clip (copied out before the scope ends).</summary>
    public float[] Run()
    {
        using var scope = Arena.Begin();
        using var noGrad = GradMode.NoGrad();
        Net.Forward(Clip).Span.CopyTo(_logits);
        return _logits;
    }
}
