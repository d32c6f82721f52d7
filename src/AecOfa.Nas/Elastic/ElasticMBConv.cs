using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// Inverted-residual MobileNetV3 block with elastic kernel and expand ratio (OFA's DynamicMBConvLayer):
/// 1×1 expand + BN + act → k×k depthwise (stride) + BN + act → [SE] → 1×1 project + BN → [+ x].
/// All weights are stored for <see cref="MaxInChannels"/> × the largest expand ratio; the active choice is an
/// argument of <see cref="Forward(Tensor, int, int)"/>. The input width is read from x (whatever the previous block
/// produced); the middle width is make_divisible(round(C_in × expand), 8) and uses the first channels of every
/// middle tensor. The residual is added when stride is 1 and C_in equals <see cref="OutChannels"/>.
/// </summary>
public sealed class ElasticMBConv : Module
{
    private readonly int[] _expandRatios;

    public ElasticMBConv(int maxInChannels, int outChannels, IReadOnlyCollection<int> kernelSizes, IReadOnlyCollection<int> expandRatios,
        int stride, Activation activation, bool useSe, Random rng, bool useKernelTransform = true)
    {
        ArgumentNullException.ThrowIfNull(kernelSizes);
        ArgumentNullException.ThrowIfNull(expandRatios);
        ArgumentNullException.ThrowIfNull(rng);
        if (maxInChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxInChannels), maxInChannels, "must be >= 1");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "must be >= 1");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "must be >= 1");
        if (expandRatios.Count == 0 || expandRatios.Any(e => e < 1))
            throw new ArgumentException($"ElasticMBConv: expand ratios must be a non-empty set of values >= 1, got {{{string.Join(", ", expandRatios)}}}", nameof(expandRatios));
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        _expandRatios = expandRatios.Distinct().Order().ToArray();
        MaxInChannels = maxInChannels;
        OutChannels = outChannels;
        Stride = stride;
        Activation = activation;
        MaxMiddleChannels = Channels.ExpandedWidth(maxInChannels, _expandRatios[^1]);
        ExpandConv = RegisterModule("expand", new ElasticPointwiseConv(maxInChannels, MaxMiddleChannels, rng));
        ExpandBn = RegisterModule("expand_bn", new ElasticBatchNorm(MaxMiddleChannels));
        DepthConv = RegisterModule("depthwise", new ElasticDepthwiseConv(MaxMiddleChannels, kernelSizes, rng, useKernelTransform));
        DepthBn = RegisterModule("depthwise_bn", new ElasticBatchNorm(MaxMiddleChannels));
        if (useSe) Se = RegisterModule("se", new ElasticSqueezeExcitation(MaxMiddleChannels, rng));
        ProjectConv = RegisterModule("project", new ElasticPointwiseConv(MaxMiddleChannels, outChannels, rng));
        ProjectBn = RegisterModule("project_bn", new ElasticBatchNorm(outChannels));
    }

    public int MaxInChannels { get; }
    public int OutChannels { get; }
    public int MaxMiddleChannels { get; }
    public int Stride { get; }
    public Activation Activation { get; }

    /// <summary>Allowed expand ratios, ascending.</summary>
    public IReadOnlyList<int> ExpandRatios => _expandRatios;

    public ElasticPointwiseConv ExpandConv { get; }
    public ElasticBatchNorm ExpandBn { get; }
    public ElasticDepthwiseConv DepthConv { get; }
    public ElasticBatchNorm DepthBn { get; }
    public ElasticSqueezeExcitation? Se { get; }
    public ElasticPointwiseConv ProjectConv { get; }
    public ElasticBatchNorm ProjectBn { get; }

    /// <summary>Middle width for an input of <paramref name="inChannels"/> channels at <paramref name="expand"/>.</summary>
    public static int MiddleChannels(int inChannels, int expand) => Channels.ExpandedWidth(inChannels, expand);

    /// <summary>Whether a forward on <paramref name="inChannels"/> input channels adds the residual.</summary>
    public bool HasResidual(int inChannels) => Stride == 1 && inChannels == OutChannels;

    /// <summary>x (N, C_in ≤ MaxInChannels, H, W) → (N, OutChannels, H', W') with the given kernel and expand ratio.</summary>
    public Tensor Forward(Tensor x, int kernel, int expand) => Forward(x, kernel, expand, null);

    internal Tensor Forward(Tensor x, int kernel, int expand, RecalibrationPass? pass)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"ElasticMBConv: x must be (N, C, H, W), got rank {x.Rank}", nameof(x));
        int cin = x.Shape[1];
        if (cin > MaxInChannels) throw new ArgumentException($"ElasticMBConv: x has {cin} channels, the block at most {MaxInChannels}", nameof(x));
        if (Array.IndexOf(_expandRatios, expand) < 0)
            throw new ArgumentOutOfRangeException(nameof(expand), expand, $"is not one of {{{string.Join(", ", _expandRatios)}}}");
        int mid = MiddleChannels(cin, expand);
        if (mid > MaxMiddleChannels)
            throw new ArgumentException($"ElasticMBConv: {cin} input channels × expand {expand} need {mid} middle channels, the block has {MaxMiddleChannels}", nameof(x));

        var act = ActivationFunctions.ToFused(Activation);
        var h = RecalibrationPass.Normalize(ExpandBn, ExpandConv.Forward(x, mid), pass, act);
        h = RecalibrationPass.Normalize(DepthBn, DepthConv.Forward(h, kernel, Stride), pass, act);
        if (Se is not null) h = Se.Forward(h);
        h = RecalibrationPass.Normalize(ProjectBn, ProjectConv.Forward(h, OutChannels), pass);
        return HasResidual(cin) ? TensorOps.Add(h, x) : h;
    }
}
