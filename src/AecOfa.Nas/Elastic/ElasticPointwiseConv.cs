using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// 1×1 convolution whose weight (maxOut, maxIn, 1, 1) is stored once at the largest size; a forward uses the
/// prefix slice [0, outChannels) × [0, inChannels), with inChannels read from the input (OFA's
/// DynamicPointConv2d). Backward scatter-adds into that block of the full-size gradient; the rest stays 0.
/// Optional bias (the SE module's 1×1 convolutions have one), sliced the same way.
/// </summary>
public sealed class ElasticPointwiseConv : Module
{
    public ElasticPointwiseConv(int maxInChannels, int maxOutChannels, Random rng, bool bias = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (maxInChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxInChannels), maxInChannels, "must be >= 1");
        if (maxOutChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxOutChannels), maxOutChannels, "must be >= 1");
        MaxInChannels = maxInChannels;
        MaxOutChannels = maxOutChannels;
        Weight = RegisterParameter("weight", Parameter.Zeros([maxOutChannels, maxInChannels, 1, 1]));
        Init.KaimingNormalFanOut(Weight, rng);
        if (bias) Bias = RegisterParameter("bias", Parameter.Zeros([maxOutChannels], noWeightDecay: true));
    }

    public int MaxInChannels { get; }
    public int MaxOutChannels { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>x (N, inChannels ≤ MaxInChannels, H, W) → (N, outChannels, H, W).</summary>
    public Tensor Forward(Tensor x, int outChannels)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"ElasticPointwiseConv: x must be (N, C, H, W), got rank {x.Rank}", nameof(x));
        int inChannels = x.Shape[1];
        if (inChannels > MaxInChannels)
            throw new ArgumentException($"ElasticPointwiseConv: x has {inChannels} channels, the layer at most {MaxInChannels}", nameof(x));
        if (outChannels < 1 || outChannels > MaxOutChannels)
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"must be in 1..{MaxOutChannels}");
        var w = TensorOps.Slice(TensorOps.Slice(Weight, 0, 0, outChannels), 1, 0, inChannels);
        var b = Bias is null ? null : TensorOps.Slice(Bias, 0, 0, outChannels);
        return TensorOps.Conv2d(x, w, b);
    }
}
