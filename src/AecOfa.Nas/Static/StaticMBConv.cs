using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Static;

/// <summary>Fixed MBConv block from ordinary layers: 1×1 expand + BN + act → k×k depthwise + BN + act → [SE] →
/// 1×1 project + BN → [+ x] (residual when stride 1 and in == out).
/// The activations run inside their batch norms (fused; parameter names unchanged).</summary>
public sealed class StaticMBConv : Module
{
    public StaticMBConv(int inChannels, int middleChannels, int outChannels, int kernel, int stride, Activation activation, bool useSe, Random rng)
    {
        InChannels = inChannels;
        MiddleChannels = middleChannels;
        OutChannels = outChannels;
        Activation = activation;
        ExpandConv = RegisterModule("expand", new Conv2d(inChannels, middleChannels, 1, rng));
        ExpandBn = RegisterModule("expand_bn", new BatchNorm2d(middleChannels, activation: ActivationFunctions.ToFused(activation)));
        DepthConv = RegisterModule("depthwise", new Conv2d(middleChannels, middleChannels, kernel, rng, stride: stride, groups: middleChannels));
        DepthBn = RegisterModule("depthwise_bn", new BatchNorm2d(middleChannels, activation: ActivationFunctions.ToFused(activation)));
        if (useSe) Se = RegisterModule("se", new StaticSqueezeExcitation(middleChannels, rng));
        ProjectConv = RegisterModule("project", new Conv2d(middleChannels, outChannels, 1, rng));
        ProjectBn = RegisterModule("project_bn", new BatchNorm2d(outChannels));
        HasResidual = stride == 1 && inChannels == outChannels;
    }

    public int InChannels { get; }
    public int MiddleChannels { get; }
    public int OutChannels { get; }
    public Activation Activation { get; }
    public bool HasResidual { get; }
    public Conv2d ExpandConv { get; }
    public BatchNorm2d ExpandBn { get; }
    public Conv2d DepthConv { get; }
    public BatchNorm2d DepthBn { get; }
    public StaticSqueezeExcitation? Se { get; }
    public Conv2d ProjectConv { get; }
    public BatchNorm2d ProjectBn { get; }

    public Tensor Forward(Tensor x, MacTally? tally, string name)
    {
        var h = ExpandConv.Forward(x);
        tally?.Conv(name + ".expand", ExpandConv, h);
        h = ExpandBn.Forward(h); // + activation (fused in the layer)
        h = DepthConv.Forward(h);
        tally?.Conv(name + ".depthwise", DepthConv, h);
        h = DepthBn.Forward(h); // + activation
        if (Se is not null) h = Se.Forward(h, tally, name + ".se");
        h = ProjectConv.Forward(h);
        tally?.Conv(name + ".project", ProjectConv, h);
        h = ProjectBn.Forward(h);
        return HasResidual ? TensorOps.Add(h, x) : h;
    }
}
