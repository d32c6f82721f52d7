using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Supernet;

/// <summary>
/// The weight-sharing OFA-MobileNetV3 supernet of an <see cref="ArchSpace"/>, with the structure of the reference
/// network (peers/torch/Model.cs): input resampling to the config's resolution (<see cref="InputResampler"/>) →
/// stem conv3×3 s2 (1 → stem) + BN + h-swish → fixed first block (dw3×3 + BN + ReLU, pw + BN, + x) → stages of
/// <see cref="ElasticMBConv"/> (MaxDepth slots each; the first block of a stage has the stage stride; a stage of
/// depth d runs its first d blocks) → final 1×1 expand + BN + h-swish → global average pool → feature-mix linear
/// without bias + h-swish → dropout → classifier linear.
/// The sub-network is an argument of every forward (<see cref="Forward(Tensor, ArchConfig, Random?)"/>); nothing about the
/// active choice is stored between calls. Train/eval mode is the usual module mode (BN statistics, dropout).
/// Every BN that an activation follows runs it in the same element pass (the engine's fused BN + activation; the
/// activation has no parameters, so names and checkpoints are those of plain batch norms).
/// Parameter names: stem_conv, stem_bn, first_dw, first_dw_bn, first_pw, first_pw_bn, s{stage+1}b{block}.*,
/// final_expand, final_expand_bn, feature_mix, classifier.
/// </summary>
public sealed class OfaSupernet : Module, IArchNetwork
{
    private readonly ElasticMBConv[][] _blocks;

    /// <param name="space">The search space (validated).</param>
    /// <param name="seed">Seeds weight initialization and the dropout masks.</param>
    /// <param name="useKernelTransform">OFA's learned kernel transformation matrices (true) or plain center crops.</param>
    public OfaSupernet(ArchSpace space, int seed = 0, bool useKernelTransform = true)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        Space = space;
        var rng = new Random(seed);
        int stem = space.StemChannels;
        StemConv = RegisterModule("stem_conv", new Conv2d(1, stem, 3, rng, stride: 2));
        StemBn = RegisterModule("stem_bn", new BatchNorm2d(stem, activation: FusedActivation.HardSwish));
        FirstDepthwise = RegisterModule("first_dw", new Conv2d(stem, stem, 3, rng, groups: stem));
        FirstDepthwiseBn = RegisterModule("first_dw_bn", new BatchNorm2d(stem, activation: FusedActivation.ReLU));
        FirstPointwise = RegisterModule("first_pw", new Conv2d(stem, stem, 1, rng));
        FirstPointwiseBn = RegisterModule("first_pw_bn", new BatchNorm2d(stem));

        _blocks = new ElasticMBConv[space.StageCount][];
        int cin = stem;
        for (int s = 0; s < space.StageCount; s++)
        {
            var st = space.Stages[s];
            int cout = space.StageChannels(s);
            _blocks[s] = new ElasticMBConv[space.MaxDepth];
            for (int b = 0; b < space.MaxDepth; b++)
            {
                _blocks[s][b] = RegisterModule($"s{s + 1}b{b}", new ElasticMBConv(b == 0 ? cin : cout, cout, space.KernelChoices,
                    space.ExpandChoices, b == 0 ? st.Stride : 1, st.Activation, st.UseSe, rng, useKernelTransform));
            }
            cin = cout;
        }
        FinalExpand = RegisterModule("final_expand", new Conv2d(cin, space.FinalExpandChannels, 1, rng));
        FinalExpandBn = RegisterModule("final_expand_bn", new BatchNorm2d(space.FinalExpandChannels, activation: FusedActivation.HardSwish));
        FeatureMix = RegisterModule("feature_mix", new Linear(space.FinalExpandChannels, space.FeatureMixChannels, rng, bias: false));
        Classifier = RegisterModule("classifier", new Linear(space.FeatureMixChannels, space.Classes, rng));
    }

    public ArchSpace Space { get; }

    Module IArchNetwork.Module => this;

    /// <summary>Every valid config of <see cref="Space"/>.</summary>
    public bool Contains(ArchConfig config) => config is not null && config.TryValidate(Space, out _);

    public string Describe() => $"supernet (width x{Space.WidthMultiplier.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

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

    /// <summary>The block in slot (<paramref name="stage"/>, <paramref name="block"/>).</summary>
    public ElasticMBConv Block(int stage, int block) => _blocks[stage][block];

    /// <summary>
    /// Logits (N, classes) of the sub-network <paramref name="config"/> on features x (N, 1, mel bins, frames) at the
    /// front end's resolution; the config's resolution genes resample them first (<see cref="InputResampler"/>).
    /// Dropout before the classifier (rate <see cref="ArchSpace.Dropout"/>) applies only in training mode and only
    /// when the caller passes <paramref name="dropout"/>: the mask stream is the caller's state (a trainer derives it
    /// from its seed and step so a resumed run draws the same masks), never a generator hidden in the network.
    /// </summary>
    public Tensor Forward(Tensor x, ArchConfig config, Random? dropout = null) => Head(Features(x, config, null), dropout);

    /// <summary>The feature map after the final expand (+ BN + h-swish), before pooling.</summary>
    internal Tensor Features(Tensor x, ArchConfig config, RecalibrationPass? pass)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(Space);
        if (x.Rank != 4 || x.Shape[1] != 1)
            throw new ArgumentException($"OfaSupernet: x must be (N, 1, mel bins, frames), got ({string.Join(", ", x.Shape)})", nameof(x));
        var h = InputResampler.Apply(x, config.MelBins, config.HopFactor);
        h = RecalibrationPass.Normalize(StemBn, StemConv.Forward(h), pass); // + h-swish (fused in the layer)
        var r = RecalibrationPass.Normalize(FirstDepthwiseBn, FirstDepthwise.Forward(h), pass); // + ReLU
        h = TensorOps.Add(RecalibrationPass.Normalize(FirstPointwiseBn, FirstPointwise.Forward(r), pass), h);
        int mark = TensorArena.InferenceMark(); // inference in an arena: one block's buffers live at a time
        for (int s = 0; s < _blocks.Length; s++)
            for (int b = 0; b < config.Depth(s); b++)
            {
                h = _blocks[s][b].Forward(h, config.Kernel(s, b), config.Expand(s, b), pass);
                TensorArena.ReleaseSince(mark, h);
            }
        return RecalibrationPass.Normalize(FinalExpandBn, FinalExpand.Forward(h), pass); // + h-swish
    }

    private Tensor Head(Tensor features, Random? dropout)
    {
        var v = TensorOps.HardSwish(FeatureMix.Forward(TensorOps.GlobalAvgPool2d(features)));
        if (dropout is not null && IsTraining) v = TensorOps.Dropout(v, (float)Space.Dropout, dropout, training: true);
        return Classifier.Forward(v);
    }
}
