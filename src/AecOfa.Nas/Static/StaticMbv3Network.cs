using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Static;

/// <summary>
/// One sub-network as an ordinary, fixed network (no elastic machinery, its own weights): exactly the layers the
/// supernet runs for its <see cref="Config"/> — input resampling (<see cref="InputResampler"/>), stem, fixed first
/// block, the active blocks at their kernel, middle width and SE width, head. Built by
/// <see cref="Supernet.SubnetExtractor"/> (inherited weights) or with fresh initialization (a standalone baseline
/// trained from scratch). Saved to and loaded from one safetensors file (<see cref="StaticNetworkFile"/>).
/// BNs followed by an activation run it fused (<see cref="BatchNorm2d.Activation"/>; names unchanged).
/// Parameter names: stem_conv, stem_bn, first_dw(_bn), first_pw(_bn), s{stage+1}b{block}.{expand, expand_bn,
/// depthwise, depthwise_bn, se.reduce, se.expand, project, project_bn}, final_expand(_bn), feature_mix, classifier.
/// </summary>
public sealed class StaticMbv3Network : Module, IArchNetwork
{
    private readonly List<(string Name, StaticMBConv Block)> _blocks = [];

    public StaticMbv3Network(ArchSpace space, ArchConfig config, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(config);
        space.Validate();
        config.Validate(space);
        Space = space;
        Config = config;
        var rng = new Random(seed);
        int stem = space.StemChannels;
        StemConv = RegisterModule("stem_conv", new Conv2d(1, stem, 3, rng, stride: 2));
        StemBn = RegisterModule("stem_bn", new BatchNorm2d(stem, activation: FusedActivation.HardSwish));
        FirstDepthwise = RegisterModule("first_dw", new Conv2d(stem, stem, 3, rng, groups: stem));
        FirstDepthwiseBn = RegisterModule("first_dw_bn", new BatchNorm2d(stem, activation: FusedActivation.ReLU));
        FirstPointwise = RegisterModule("first_pw", new Conv2d(stem, stem, 1, rng));
        FirstPointwiseBn = RegisterModule("first_pw_bn", new BatchNorm2d(stem));
        int cin = stem;
        for (int s = 0; s < space.StageCount; s++)
        {
            var st = space.Stages[s];
            int cout = space.StageChannels(s);
            for (int b = 0; b < config.Depth(s); b++)
            {
                string name = $"s{s + 1}b{b}";
                int mid = Channels.ExpandedWidth(cin, config.Expand(s, b));
                _blocks.Add((name, RegisterModule(name, new StaticMBConv(cin, mid, cout, config.Kernel(s, b), b == 0 ? st.Stride : 1,
                    st.Activation, st.UseSe, rng))));
                cin = cout;
            }
        }
        FinalExpand = RegisterModule("final_expand", new Conv2d(cin, space.FinalExpandChannels, 1, rng));
        FinalExpandBn = RegisterModule("final_expand_bn", new BatchNorm2d(space.FinalExpandChannels, activation: FusedActivation.HardSwish));
        FeatureMix = RegisterModule("feature_mix", new Linear(space.FinalExpandChannels, space.FeatureMixChannels, rng, bias: false));
        Classifier = RegisterModule("classifier", new Linear(space.FeatureMixChannels, space.Classes, rng));
    }

    public ArchSpace Space { get; }
    public ArchConfig Config { get; }

    Module IArchNetwork.Module => this;

    /// <summary>Only its own <see cref="Config"/>.</summary>
    public bool Contains(ArchConfig config) => Config.Equals(config);

    public string Describe() => $"static {Config}";

    /// <summary>The network's own config only; anything else is an error naming both configs.</summary>
    Tensor IArchNetwork.Forward(Tensor x, ArchConfig config, Random? dropout)
    {
        if (!Contains(config))
            throw new ArgumentException($"StaticMbv3Network: this network is {Config} and cannot run {config}.", nameof(config));
        return Forward(x, null, dropout);
    }

    public Conv2d StemConv { get; }
    public BatchNorm2d StemBn { get; }
    public Conv2d FirstDepthwise { get; }
    public BatchNorm2d FirstDepthwiseBn { get; }
    public Conv2d FirstPointwise { get; }
    public BatchNorm2d FirstPointwiseBn { get; }
    public Conv2d FinalExpand { get; }
    public BatchNorm2d FinalExpandBn { get; }
    public Linear FeatureMix { get; }
    public Linear Classifier { get; }

    /// <summary>The active blocks in order, with their parameter-name prefixes.</summary>
    public IReadOnlyList<(string Name, StaticMBConv Block)> Blocks => _blocks;

    /// <summary>Logits (N, classes) for features x (N, 1, mel bins, frames) at the front end's resolution.
    /// When <paramref name="tally"/> is given, every convolution and linear layer adds its MACs per example.
    /// Dropout (rate <see cref="ArchSpace.Dropout"/>) applies only in training mode with a caller-owned
    /// <paramref name="dropout"/> generator, as in <see cref="Supernet.OfaSupernet.Forward"/>: no hidden random state.</summary>
    public Tensor Forward(Tensor x, MacTally? tally = null, Random? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4 || x.Shape[1] != 1)
            throw new ArgumentException($"StaticMbv3Network: x must be (N, 1, mel bins, frames), got ({string.Join(", ", x.Shape)})", nameof(x));
        var h = InputResampler.Apply(x, Config.MelBins, Config.HopFactor);
        h = Conv(StemConv, h, tally, "stem_conv");
        h = StemBn.Forward(h); // + h-swish (fused in the layer)
        var r = FirstDepthwiseBn.Forward(Conv(FirstDepthwise, h, tally, "first_dw")); // + ReLU
        h = TensorOps.Add(FirstPointwiseBn.Forward(Conv(FirstPointwise, r, tally, "first_pw")), h);
        int mark = TensorArena.InferenceMark(); // inference in an arena: one block's buffers live at a time
        foreach (var (name, block) in _blocks)
        {
            h = block.Forward(h, tally, name);
            TensorArena.ReleaseSince(mark, h);
        }
        h = FinalExpandBn.Forward(Conv(FinalExpand, h, tally, "final_expand")); // + h-swish
        var v = FeatureMix.Forward(TensorOps.GlobalAvgPool2d(h));
        tally?.Linear("feature_mix", FeatureMix);
        v = TensorOps.HardSwish(v);
        if (dropout is not null && IsTraining) v = TensorOps.Dropout(v, (float)Space.Dropout, dropout, training: true);
        v = Classifier.Forward(v);
        tally?.Linear("classifier", Classifier);
        return v;
    }

    private static Tensor Conv(Conv2d conv, Tensor x, MacTally? tally, string name)
    {
        var y = conv.Forward(x);
        tally?.Conv(name, conv, y);
        return y;
    }
}
