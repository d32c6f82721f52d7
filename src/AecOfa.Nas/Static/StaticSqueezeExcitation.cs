using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Static;

/// <summary>Fixed-width squeeze-excitation: GAP → 1×1 reduce (bias) → ReLU → 1×1 expand (bias) → h-sigmoid → x · s.</summary>
public sealed class StaticSqueezeExcitation : Module
{
    public StaticSqueezeExcitation(int channels, Random rng)
    {
        Channels = channels;
        Hidden = Space.Channels.SqueezeWidth(channels);
        Reduce = RegisterModule("reduce", new Conv2d(channels, Hidden, 1, rng, bias: true));
        Expand = RegisterModule("expand", new Conv2d(Hidden, channels, 1, rng, bias: true));
    }

    public int Channels { get; }
    public int Hidden { get; }
    public Conv2d Reduce { get; }
    public Conv2d Expand { get; }

    public Tensor Forward(Tensor x, MacTally? tally, string name)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var pooled = TensorOps.Reshape(TensorOps.GlobalAvgPool2d(x), n, c, 1, 1);
        var h = Reduce.Forward(pooled);
        tally?.Conv(name + ".reduce", Reduce, h);
        var s = Expand.Forward(TensorOps.ReLU(h));
        tally?.Conv(name + ".expand", Expand, s);
        return TensorOps.ChannelScale(x, TensorOps.Reshape(TensorOps.HardSigmoid(s), n, c));
    }
}
