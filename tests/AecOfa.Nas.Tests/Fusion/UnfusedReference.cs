using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Fusion;

/// <summary>How the reference treats batch norms: batch statistics with the momentum update, running statistics, or
/// batch statistics gathered into per-layer accumulators (BN recalibration).</summary>
internal enum ReferenceBnMode
{
    Train,
    Eval,
    Recalibrate,
}

/// <summary>
/// The supernet and the extracted static network written out the unfused way: every batch norm is the plain engine
/// op on (prefix slices of) the layer's parameters and statistics, and every activation a separate ReLU / HardSwish
/// op. It reuses the networks' convolutions, SE and input resampling (not what fusion changes), so fused == reference
/// checks exactly the BN + activation fusion and the running-statistics bookkeeping around it.
/// </summary>
internal sealed class UnfusedReference(ReferenceBnMode mode)
{
    private readonly Dictionary<Module, BatchNormStatsAccumulator> _accumulators = new(ReferenceEqualityComparer.Instance);

    public Tensor Supernet(OfaSupernet net, Tensor x, ArchConfig config) => Head(net.FeatureMix, net.Classifier, SupernetFeatures(net, x, config));

    public Tensor SupernetFeatures(OfaSupernet net, Tensor x, ArchConfig config)
    {
        var h = InputResampler.Apply(x, config.MelBins, config.HopFactor);
        h = TensorOps.HardSwish(Bn(net.StemBn, net.StemConv.Forward(h)));
        var r = TensorOps.ReLU(Bn(net.FirstDepthwiseBn, net.FirstDepthwise.Forward(h)));
        h = TensorOps.Add(Bn(net.FirstPointwiseBn, net.FirstPointwise.Forward(r)), h);
        for (int s = 0; s < net.Space.StageCount; s++)
            for (int b = 0; b < config.Depth(s); b++)
            {
                var block = net.Block(s, b);
                int cin = h.Shape[1];
                int mid = ElasticMBConv.MiddleChannels(cin, config.Expand(s, b));
                var t = Activate(block.Activation, Bn(block.ExpandBn, block.ExpandConv.Forward(h, mid)));
                t = Activate(block.Activation, Bn(block.DepthBn, block.DepthConv.Forward(t, config.Kernel(s, b), block.Stride)));
                if (block.Se is not null) t = block.Se.Forward(t);
                t = Bn(block.ProjectBn, block.ProjectConv.Forward(t, block.OutChannels));
                h = block.HasResidual(cin) ? TensorOps.Add(t, h) : t;
            }
        return TensorOps.HardSwish(Bn(net.FinalExpandBn, net.FinalExpand.Forward(h)));
    }

    public Tensor Static(StaticMbv3Network net, Tensor x)
    {
        var h = InputResampler.Apply(x, net.Config.MelBins, net.Config.HopFactor);
        h = TensorOps.HardSwish(Bn(net.StemBn, net.StemConv.Forward(h)));
        var r = TensorOps.ReLU(Bn(net.FirstDepthwiseBn, net.FirstDepthwise.Forward(h)));
        h = TensorOps.Add(Bn(net.FirstPointwiseBn, net.FirstPointwise.Forward(r)), h);
        foreach (var (name, block) in net.Blocks)
        {
            var t = Activate(block.Activation, Bn(block.ExpandBn, block.ExpandConv.Forward(h)));
            t = Activate(block.Activation, Bn(block.DepthBn, block.DepthConv.Forward(t)));
            if (block.Se is not null) t = block.Se.Forward(t, null, name);
            t = Bn(block.ProjectBn, block.ProjectConv.Forward(t));
            h = block.HasResidual ? TensorOps.Add(t, h) : t;
        }
        h = TensorOps.HardSwish(Bn(net.FinalExpandBn, net.FinalExpand.Forward(h)));
        return Head(net.FeatureMix, net.Classifier, h);
    }

    /// <summary>Recalibration mode: writes every accumulator into its layer's first C running statistics.</summary>
    public void CommitRecalibration()
    {
        foreach (var (bn, acc) in _accumulators)
        {
            var (_, _, runningMean, runningVar, _, _) = Parts(bn);
            acc.CopyTo(runningMean.Span[..acc.Channels], runningVar.Span[..acc.Channels]);
        }
    }

    private static Tensor Head(Linear featureMix, Linear classifier, Tensor features)
        => classifier.Forward(TensorOps.HardSwish(featureMix.Forward(TensorOps.GlobalAvgPool2d(features))));

    private static Tensor Activate(Activation activation, Tensor x) => activation switch
    {
        Activation.Relu => TensorOps.ReLU(x),
        Activation.Hswish => TensorOps.HardSwish(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    private Tensor Bn(Module bn, Tensor x)
    {
        var (weight, bias, runningMean, runningVar, eps, momentum) = Parts(bn);
        int c = x.Shape[1];
        var gamma = TensorOps.Slice(weight, 0, 0, c);
        var beta = TensorOps.Slice(bias, 0, 0, c);
        if (mode == ReferenceBnMode.Eval)
            return TensorOps.BatchNorm2dEval(x, gamma, beta, Tensor.FromArray(runningMean.Span[..c].ToArray(), c),
                Tensor.FromArray(runningVar.Span[..c].ToArray(), c), eps);
        var y = TensorOps.BatchNorm2dTrain(x, gamma, beta, eps, out var stats);
        if (mode == ReferenceBnMode.Train) stats.UpdateRunning(runningMean.Span[..c], runningVar.Span[..c], momentum);
        else
        {
            if (!_accumulators.TryGetValue(bn, out var acc)) _accumulators.Add(bn, acc = new BatchNormStatsAccumulator(c));
            acc.Add(stats);
        }
        return y;
    }

    private static (Tensor Weight, Tensor Bias, Tensor RunningMean, Tensor RunningVar, float Eps, float Momentum) Parts(Module bn) => bn switch
    {
        ElasticBatchNorm e => (e.Weight, e.Bias, e.RunningMean, e.RunningVar, e.Eps, e.Momentum),
        BatchNorm2d b => (b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Eps, b.Momentum),
        _ => throw new ArgumentException($"not a batch norm: {bn.GetType().Name}", nameof(bn)),
    };
}
