using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Nas.Tests.Elastic;

public class ElasticMBConvTests
{
    // The block reads its input width from x; compare against a fixed block built from plain engine layers
    // holding the prefix slices (kernel from ActiveKernel), in eval mode with random BN statistics.
    [Theory]
    [InlineData(12, 7, 3, 1)] // input at max width, stride 1, in == out: residual
    [InlineData(8, 5, 2, 1)]  // narrower input than the block's max: no residual (8 != 12)
    [InlineData(12, 3, 3, 2)] // stride 2: no residual
    public void Matches_a_static_block_of_prefix_slices(int cin, int kernel, int expand, int stride)
    {
        var rng = new Random(cin * 10 + kernel);
        var block = new ElasticMBConv(12, 12, [3, 5, 7], [2, 3], stride, Activation.Hswish, useSe: true, rng);
        TinySupernet.Randomize(block, rng);
        block.Eval();
        int mid = ElasticMBConv.MiddleChannels(cin, expand);
        var fixedBlock = new StaticMBConv(cin, mid, 12, kernel, stride, Activation.Hswish, true, rng);
        Slice(block.ExpandConv.Weight, fixedBlock.ExpandConv.Weight);
        CopyBn(block.ExpandBn, fixedBlock.ExpandBn);
        using (GradMode.NoGrad()) fixedBlock.DepthConv.Weight.CopyFrom(block.DepthConv.ActiveKernel(mid, kernel).Span);
        CopyBn(block.DepthBn, fixedBlock.DepthBn);
        Slice(block.Se!.Reduce.Weight, fixedBlock.Se!.Reduce.Weight);
        fixedBlock.Se.Reduce.Bias!.CopyFrom(block.Se.Reduce.Bias!.Span[..fixedBlock.Se.Hidden]);
        Slice(block.Se.Expand.Weight, fixedBlock.Se.Expand.Weight);
        fixedBlock.Se.Expand.Bias!.CopyFrom(block.Se.Expand.Bias!.Span[..mid]);
        Slice(block.ProjectConv.Weight, fixedBlock.ProjectConv.Weight);
        CopyBn(block.ProjectBn, fixedBlock.ProjectBn);
        fixedBlock.Eval();

        var x = Tensor.Uniform(rng, -1f, 1f, 2, cin, 5, 7);
        var y = block.Forward(x, kernel, expand);
        Assert.Equal(block.HasResidual(cin), fixedBlock.HasResidual);
        Assert.Equal(stride == 1 && cin == 12, block.HasResidual(cin));
        Assert.True(TinySupernet.MaxAbsDiff(y, fixedBlock.Forward(x, null, "b")) < 1e-5);
    }

    [Fact]
    public void Rejects_choices_outside_the_block()
    {
        var block = new ElasticMBConv(8, 8, [3, 5], [2, 3], 1, Activation.Relu, false, new Random(1));
        var x = Tensor.Zeros(1, 8, 4, 4);
        Assert.Contains("is not one of {2, 3}", Assert.Throws<ArgumentOutOfRangeException>(() => block.Forward(x, 3, 4)).Message);
        Assert.Contains("is not one of {5, 3}", Assert.Throws<ArgumentOutOfRangeException>(() => block.Forward(x, 7, 2)).Message);
        Assert.Contains("at most 8", Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros(1, 9, 4, 4), 3, 2)).Message);
    }

    private static void Slice(Tensor src, Tensor dst)
    {
        int o = dst.Shape[0], i = dst.Shape[1], srcIn = src.Shape[1];
        for (int r = 0; r < o; r++) src.Span.Slice(r * srcIn, i).CopyTo(dst.Span.Slice(r * i, i));
    }

    private static void CopyBn(ElasticBatchNorm src, BatchNorm2d dst)
    {
        int c = dst.Channels;
        dst.Weight.CopyFrom(src.Weight.Span[..c]);
        dst.Bias.CopyFrom(src.Bias.Span[..c]);
        dst.RunningMean.CopyFrom(src.RunningMean.Span[..c]);
        dst.RunningVar.CopyFrom(src.RunningVar.Span[..c]);
    }
}
