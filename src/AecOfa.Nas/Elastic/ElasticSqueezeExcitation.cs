using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// Squeeze-excitation with elastic width (OFA's DynamicSE): x (N, C, H, W) → GAP → 1×1 reduce (bias) → ReLU →
/// 1×1 expand (bias) → h-sigmoid → x · s. The hidden width follows the ACTIVE channel count C of x:
/// make_divisible(C / 4, 8) (<see cref="Channels.SqueezeWidth"/>), and both convolutions are prefix slices of the
/// ones stored for <see cref="MaxChannels"/>.
/// </summary>
public sealed class ElasticSqueezeExcitation : Module
{
    public ElasticSqueezeExcitation(int maxChannels, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (maxChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxChannels), maxChannels, "must be >= 1");
        MaxChannels = maxChannels;
        MaxHidden = Channels.SqueezeWidth(maxChannels);
        Reduce = RegisterModule("reduce", new ElasticPointwiseConv(maxChannels, MaxHidden, rng, bias: true));
        Expand = RegisterModule("expand", new ElasticPointwiseConv(MaxHidden, maxChannels, rng, bias: true));
    }

    public int MaxChannels { get; }
    public int MaxHidden { get; }
    public ElasticPointwiseConv Reduce { get; }
    public ElasticPointwiseConv Expand { get; }

    /// <summary>x (N, C ≤ MaxChannels, H, W) → same shape.</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"ElasticSqueezeExcitation: x must be (N, C, H, W), got rank {x.Rank}", nameof(x));
        int n = x.Shape[0], c = x.Shape[1];
        if (c > MaxChannels) throw new ArgumentException($"ElasticSqueezeExcitation: x has {c} channels, the layer at most {MaxChannels}", nameof(x));
        int hidden = Channels.SqueezeWidth(c);
        if (hidden > MaxHidden)
            throw new ArgumentException($"ElasticSqueezeExcitation: {c} channels need hidden width {hidden}, the layer has {MaxHidden}", nameof(x));
        var pooled = TensorOps.Reshape(TensorOps.GlobalAvgPool2d(x), n, c, 1, 1);
        var h = TensorOps.ReLU(Reduce.Forward(pooled, hidden));
        var s = TensorOps.HardSigmoid(Expand.Forward(h, c));
        return TensorOps.ChannelScale(x, TensorOps.Reshape(s, n, c));
    }
}
