using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Nas.Supernet;

/// <summary>
/// Copies the active sub-network of an <see cref="OfaSupernet"/> into a standalone <see cref="StaticMbv3Network"/>:
/// prefix slices of every elastic weight and BN parameter, the depthwise kernels with their center crops and kernel
/// transforms applied ONCE here, and the BN running statistics. The static network's eval-mode outputs equal the
/// supernet's eval-mode outputs for that config (same statistics).
/// The public entry point always recalibrates the config's BN statistics first (<see cref="BnRecalibrator"/>): the
/// statistics left by training or by another sub-network describe no particular sub-network, and a deployed network
/// with them is silently wrong. (Tests and benchmarks use the internal copy-as-is path.)
/// </summary>
public static class SubnetExtractor
{
    /// <summary>Recalibrates the BN statistics of <paramref name="config"/> with <paramref name="recalibrator"/> (which
    /// rewrites those running statistics in <paramref name="supernet"/>), then copies the sub-network out.</summary>
    public static StaticMbv3Network Extract(OfaSupernet supernet, ArchConfig config, BnRecalibrator recalibrator)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(recalibrator);
        recalibrator.Recalibrate(supernet, config);
        return ExtractWithCurrentStatistics(supernet, config);
    }

    /// <summary>The static network of <paramref name="config"/> with weights and BN statistics copied from
    /// <paramref name="supernet"/> as they are (no recalibration).</summary>
    internal static StaticMbv3Network ExtractWithCurrentStatistics(OfaSupernet supernet, ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(config);
        var space = supernet.Space;
        config.Validate(space);
        var net = new StaticMbv3Network(space, config);
        using var _ = GradMode.NoGrad();

        CopyConv(supernet.StemConv, net.StemConv);
        CopyBn(supernet.StemBn, net.StemBn);
        CopyConv(supernet.FirstDepthwise, net.FirstDepthwise);
        CopyBn(supernet.FirstDepthwiseBn, net.FirstDepthwiseBn);
        CopyConv(supernet.FirstPointwise, net.FirstPointwise);
        CopyBn(supernet.FirstPointwiseBn, net.FirstPointwiseBn);

        int i = 0;
        for (int s = 0; s < space.StageCount; s++)
            for (int b = 0; b < config.Depth(s); b++)
            {
                var src = supernet.Block(s, b);
                var dst = net.Blocks[i++].Block;
                int mid = dst.MiddleChannels;
                CopyPrefix(src.ExpandConv.Weight, dst.ExpandConv.Weight);
                CopyBn(src.ExpandBn, dst.ExpandBn);
                dst.DepthConv.Weight.CopyFrom(src.DepthConv.ActiveKernel(mid, config.Kernel(s, b)).Span);
                CopyBn(src.DepthBn, dst.DepthBn);
                if (src.Se is not null)
                {
                    var se = dst.Se ?? throw new InvalidOperationException("SubnetExtractor: static block lacks the SE module of its supernet block");
                    CopyPrefix(src.Se.Reduce.Weight, se.Reduce.Weight);
                    CopyPrefix(src.Se.Reduce.Bias!, se.Reduce.Bias!);
                    CopyPrefix(src.Se.Expand.Weight, se.Expand.Weight);
                    CopyPrefix(src.Se.Expand.Bias!, se.Expand.Bias!);
                }
                CopyPrefix(src.ProjectConv.Weight, dst.ProjectConv.Weight);
                CopyBn(src.ProjectBn, dst.ProjectBn);
            }

        CopyConv(supernet.FinalExpand, net.FinalExpand);
        CopyBn(supernet.FinalExpandBn, net.FinalExpandBn);
        net.FeatureMix.Weight.CopyFrom(supernet.FeatureMix.Weight.Span);
        net.Classifier.Weight.CopyFrom(supernet.Classifier.Weight.Span);
        net.Classifier.Bias!.CopyFrom(supernet.Classifier.Bias!.Span);
        net.Eval(); // a deployment artifact; call Train() to fine-tune it
        return net;
    }

    private static void CopyConv(Conv2d src, Conv2d dst)
    {
        dst.Weight.CopyFrom(src.Weight.Span);
        if (src.Bias is not null) dst.Bias!.CopyFrom(src.Bias.Span);
    }

    private static void CopyBn(BatchNorm2d src, BatchNorm2d dst)
    {
        dst.Weight.CopyFrom(src.Weight.Span);
        dst.Bias.CopyFrom(src.Bias.Span);
        dst.RunningMean.CopyFrom(src.RunningMean.Span);
        dst.RunningVar.CopyFrom(src.RunningVar.Span);
    }

    private static void CopyBn(ElasticBatchNorm src, BatchNorm2d dst)
    {
        int c = dst.Channels;
        dst.Weight.CopyFrom(src.Weight.Span[..c]);
        dst.Bias.CopyFrom(src.Bias.Span[..c]);
        dst.RunningMean.CopyFrom(src.RunningMean.Span[..c]);
        dst.RunningVar.CopyFrom(src.RunningVar.Span[..c]);
    }

    /// <summary>dst = src[:d0, :d1, ...] for a rank-1 tensor or a 4-D weight whose trailing (kh, kw) dims agree.</summary>
    private static void CopyPrefix(Tensor src, Tensor dst)
    {
        if (src.Rank == 1)
        {
            dst.CopyFrom(src.Span[..dst.Numel]);
            return;
        }
        int o = dst.Shape[0], i = dst.Shape[1], inner = dst.Shape[2] * dst.Shape[3];
        int srcIn = src.Shape[1];
        if (src.Shape[2] * src.Shape[3] != inner || o > src.Shape[0] || i > srcIn)
            throw new InvalidOperationException($"SubnetExtractor: cannot slice ({string.Join(", ", dst.Shape)}) out of ({string.Join(", ", src.Shape)})");
        var s = src.Span;
        var d = dst.Span;
        for (int r = 0; r < o; r++) s.Slice(r * srcIn * inner, i * inner).CopyTo(d.Slice(r * i * inner, i * inner));
    }
}
