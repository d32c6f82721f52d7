using AecOfa.Engine;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

public class OfaSupernetTests
{
    [Fact]
    public void Forward_gives_logits_for_every_resolution_and_depth()
    {
        var net = TinySupernet.Build(1);
        net.Eval();
        var rng = new Random(2);
        var x = TinySupernet.Input(rng, 3);
        foreach (var config in new[] { ArchConfig.Max(TinySupernet.Space), ArchConfig.Min(TinySupernet.Space), ArchSampling.Sample(TinySupernet.Space, rng) })
        {
            var y = net.Forward(x, config);
            Assert.Equal([3, TinySupernet.Space.Classes], y.Shape);
            Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Depth_keeps_the_first_blocks_and_inactive_blocks_do_not_matter()
    {
        var space = TinySupernet.Space;
        var x = TinySupernet.Input(new Random(3), 2);
        var config = ArchConfig.Uniform(space, 2, 5, 3);
        var a = TinySupernet.Build(4);
        var b = TinySupernet.Build(4);
        // Change the third (inactive) block of every stage in b only.
        for (int s = 0; s < space.StageCount; s++)
            foreach (var p in b.Block(s, 2).Parameters()) p.Span.Fill(0.123f);
        a.Eval();
        b.Eval();
        Assert.Equal(0.0, TinySupernet.MaxAbsDiff(a.Forward(x, config), b.Forward(x, config)));
        var deeper = ArchConfig.Uniform(space, 3, 5, 3);
        Assert.True(TinySupernet.MaxAbsDiff(a.Forward(x, deeper), b.Forward(x, deeper)) > 1e-3);
    }

    [Fact]
    public void Gradients_reach_only_the_active_slices()
    {
        var space = TinySupernet.Space;
        var net = TinySupernet.Build(5);
        var config = ArchConfig.Uniform(space, 1, 3, 2);
        var y = net.Forward(TinySupernet.Input(new Random(6), 2), config);
        y.Backward(Tensor.Full(1f, y.Shape));
        var block = net.Block(1, 0);
        int mid = Channels.ExpandedWidth(space.StageChannels(0), 2);
        var g = block.ProjectConv.Weight.Grad!;
        int maxMid = block.MaxMiddleChannels;
        for (int o = 0; o < block.OutChannels; o++)
            for (int c = 0; c < maxMid; c++)
                Assert.True((c < mid) == (g.Data[o * maxMid + c] != 0f), $"project grad at ({o}, {c})");
        Assert.Null(net.Block(1, 1).ProjectConv.Weight.Grad);
        Assert.NotNull(net.Block(1, 0).DepthConv.Transform(7).Grad); // 3x3 kernel goes through both transforms
    }

    [Fact]
    public void Invalid_config_and_input_are_rejected_with_clear_messages()
    {
        var net = TinySupernet.Build(7);
        var x = TinySupernet.Input(new Random(8), 1);
        var bad = new ArchConfig([2, 2], [9, 3, 0, 3, 3, 0], [2, 2, 0, 2, 2, 0], 8, 1);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(x, bad));
        Assert.Contains("kernel = 9", e.Message);
        var two = Tensor.Zeros(1, 2, 8, 12);
        Assert.Contains("(N, 1, mel bins, frames)", Assert.Throws<ArgumentException>(() => net.Forward(two, ArchConfig.Max(TinySupernet.Space))).Message);
    }

    [Fact]
    public void State_dict_names_are_unique_and_follow_the_documented_layout()
    {
        var names = TinySupernet.Build(10).StateDict().Select(t => t.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (string n in new[] { "stem_conv.weight", "stem_bn.running_var", "first_dw.weight", "first_pw_bn.bias", "s1b0.expand.weight",
                     "s1b2.depthwise.transform_7to5", "s2b1.se.reduce.bias", "s2b2.project_bn.running_mean", "final_expand_bn.weight",
                     "feature_mix.weight", "classifier.bias" })
            Assert.Contains(n, names);
        Assert.DoesNotContain("s1b0.se.reduce.weight", names); // stage 1 has no SE in the tiny space
    }

    [Fact]
    public void Default_space_largest_and_smallest_match_the_reference_counts()
    {
        var space = ArchSpace.Default;
        var net = new OfaSupernet(space, seed: 1);
        net.Eval();
        var x = Tensor.Uniform(new Random(9), -1f, 1f, 1, 1, 64, 100);
        var flops = new FlopsCounter(space);
        foreach (var (config, parameters) in new[] { (ArchConfig.Max(space), 6_396_282L), (ArchConfig.Min(space), 2_142_314L) })
        {
            Assert.Equal([1, 10], net.Forward(x, config).Shape);
            var subnet = SubnetExtractor.ExtractWithCurrentStatistics(net, config);
            Assert.Equal(parameters, subnet.ParameterCount());
            Assert.Equal(flops.Params(config), subnet.ParameterCount());
            var tally = new AecOfa.Nas.Static.MacTally();
            subnet.Forward(x, tally);
            Assert.Equal(flops.Macs(config), tally.Macs); // 80,916,672 / 17,536,992 (flops.py)
        }
    }
}
