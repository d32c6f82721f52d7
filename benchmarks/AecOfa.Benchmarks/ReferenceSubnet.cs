using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;

namespace AecOfa.Benchmarks;

/// <summary>
/// The whole reference network (OfaMbv3Net of the torch peer) built from engine layers: stem conv3x3 s2 + BN +
/// h-swish, first block, 5 MBConv stages, final 1x1 expand to 960 + BN + h-swish, then GAP, linear 960->1280
/// (no bias) + h-swish, dropout 0.1, linear 1280->classes.
/// </summary>
public sealed class ReferenceSubnet : Module, ILayer
{
    private readonly Sequential _features, _classifier;

    /// <param name="fuseBnActivation">Activations after batch norms run fused inside them (default); false builds separate layers.</param>
    public ReferenceSubnet(ReferenceSubnetSpec spec, Random rng, int classes = ReferenceSubnetSpec.Classes, float dropout = 0.1f, bool fuseBnActivation = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rng);
        Spec = spec;
        var features = new List<Module>
        {
            new ConvBn(1, ReferenceSubnetSpec.Stem, 3, 2, 1, FusedActivation.HardSwish, rng, fuseBnActivation),
            new FirstBlock(ReferenceSubnetSpec.Stem, rng, fuseBnActivation),
        };
        int cin = ReferenceSubnetSpec.Stem;
        for (int st = 0; st < 5; st++)
            for (int j = 0; j < spec.Depth; j++)
            {
                int cout = ReferenceSubnetSpec.Widths[st];
                features.Add(new MBConv(cin, cout, spec.Kernel, j == 0 ? ReferenceSubnetSpec.Strides[st] : 1, spec.Expand,
                    ReferenceSubnetSpec.Hswish[st], ReferenceSubnetSpec.UseSe[st], rng, fuseBnActivation));
                cin = cout;
            }
        features.Add(new ConvBn(cin, ReferenceSubnetSpec.FinalExpand, 1, 1, 1, FusedActivation.HardSwish, rng, fuseBnActivation));
        _features = RegisterModule("features", new Sequential(features.ToArray()));
        _classifier = RegisterModule("classifier", new Sequential(
            new GlobalAvgPool2d(),
            new Linear(ReferenceSubnetSpec.FinalExpand, ReferenceSubnetSpec.FeatureMix, rng, bias: false),
            new HardSwish(),
            new Dropout(dropout, rng),
            new Linear(ReferenceSubnetSpec.FeatureMix, classes, rng)));
    }

    public ReferenceSubnetSpec Spec { get; }

    public Tensor Forward(Tensor x) => _classifier.Forward(_features.Forward(x));
}
