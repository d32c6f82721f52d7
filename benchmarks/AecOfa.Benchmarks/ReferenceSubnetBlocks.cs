using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;

namespace AecOfa.Benchmarks;

/// <summary>
/// conv (no bias) + BN (+ activation), as Layers.ConvBn of the torch peer. The activation runs fused inside the batch
/// norm (<see cref="BatchNorm2d.Activation"/>); <c>fuseActivation: false</c> builds the unfused chain (separate
/// activation layer) to measure what the fusion buys.
/// </summary>
public sealed class ConvBn : Module, ILayer
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly ILayer? _act;

    public ConvBn(int cin, int cout, int k, int stride, int groups, FusedActivation act, Random rng, bool fuseActivation = true)
    {
        _conv = RegisterModule("conv", new Conv2d(cin, cout, k, rng, stride, k / 2, groups));
        _bn = RegisterModule("bn", new BatchNorm2d(cout, activation: fuseActivation ? act : FusedActivation.None));
        if (!fuseActivation && act != FusedActivation.None)
            _act = (ILayer)RegisterModule<Module>("act", act == FusedActivation.ReLU ? new ReLU() : new HardSwish());
    }

    public Tensor Forward(Tensor x)
    {
        var y = _bn.Forward(_conv.Forward(x));
        return _act is null ? y : _act.Forward(y);
    }
}

/// <summary>Squeeze-excitation: GAP -> 1x1 conv (bias) -> ReLU -> 1x1 conv (bias) -> h-sigmoid -> x * s.</summary>
public sealed class SqueezeExcite : Module, ILayer
{
    private readonly Conv2d _reduce, _expand;

    public SqueezeExcite(int mid, Random rng)
    {
        int seMid = ReferenceSubnetSpec.MakeDivisible(mid / 4);
        _reduce = RegisterModule("reduce", new Conv2d(mid, seMid, 1, rng, bias: true));
        _expand = RegisterModule("expand", new Conv2d(seMid, mid, 1, rng, bias: true));
    }

    public Tensor Forward(Tensor x)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var pooled = TensorOps.Reshape(TensorOps.GlobalAvgPool2d(x), n, c, 1, 1);
        var s = TensorOps.HardSigmoid(_expand.Forward(TensorOps.ReLU(_reduce.Forward(pooled))));
        return TensorOps.ChannelScale(x, TensorOps.Reshape(s, n, c));
    }
}

/// <summary>MBConv: 1x1 expand + BN + act -> kxk depthwise + BN + act -> [SE] -> 1x1 project + BN -> [+ x].</summary>
public sealed class MBConv : Module, ILayer
{
    private readonly ConvBn _expandConv, _depthConv, _project;
    private readonly SqueezeExcite? _se;
    private readonly bool _residual;

    public MBConv(int cin, int cout, int k, int stride, int expand, bool hswish, bool useSe, Random rng, bool fuse)
    {
        int mid = ReferenceSubnetSpec.MakeDivisible(Math.Round((double)cin * expand));
        var act = hswish ? FusedActivation.HardSwish : FusedActivation.ReLU;
        _expandConv = RegisterModule("expand", new ConvBn(cin, mid, 1, 1, 1, act, rng, fuse));
        _depthConv = RegisterModule("depth", new ConvBn(mid, mid, k, stride, mid, act, rng, fuse));
        if (useSe) _se = RegisterModule("se", new SqueezeExcite(mid, rng));
        _project = RegisterModule("project", new ConvBn(mid, cout, 1, 1, 1, FusedActivation.None, rng, fuse));
        _residual = stride == 1 && cin == cout;
    }

    public Tensor Forward(Tensor x)
    {
        var y = _depthConv.Forward(_expandConv.Forward(x));
        if (_se is not null) y = _se.Forward(y);
        y = _project.Forward(y);
        return _residual ? TensorOps.Add(y, x) : y;
    }
}

/// <summary>First block (expand ratio 1): 3x3 depthwise + BN + ReLU -> 1x1 pointwise + BN -> + x.</summary>
public sealed class FirstBlock : Module, ILayer
{
    private readonly ConvBn _dw, _pw;

    public FirstBlock(int c, Random rng, bool fuse)
    {
        _dw = RegisterModule("dw", new ConvBn(c, c, 3, 1, c, FusedActivation.ReLU, rng, fuse));
        _pw = RegisterModule("pw", new ConvBn(c, c, 1, 1, 1, FusedActivation.None, rng, fuse));
    }

    public Tensor Forward(Tensor x) => TensorOps.Add(_pw.Forward(_dw.Forward(x)), x);
}
