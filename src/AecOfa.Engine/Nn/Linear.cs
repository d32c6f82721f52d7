using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>Fully connected layer: x (N, in) -> (N, out), weight (out, in) uniform +-1/sqrt(in) (OFA), bias zero.</summary>
public sealed class Linear : Module, ILayer
{
    public Linear(int inFeatures, int outFeatures, Random rng, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentException($"Linear: features must be >= 1, got in={inFeatures} out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Parameter.Zeros(new[] { outFeatures, inFeatures }));
        Init.LinearUniform(Weight, rng);
        if (bias) Bias = RegisterParameter("bias", Parameter.Zeros(new[] { outFeatures }, noWeightDecay: true));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Tensor Forward(Tensor x) => TensorOps.Linear(x, Weight, Bias);
}
