using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

public class ChannelSorterTests
{
    // Three expand ratios so that a phase can add a width narrower than the trained ones.
    private static readonly ArchSpace Space = TinySupernet.Space with { ExpandChoices = [1, 2, 3] };

    private static OfaSupernet Build(int seed)
    {
        var net = new OfaSupernet(Space, seed);
        TinySupernet.Randomize(net, new Random(seed + 1));
        net.Eval();
        return net;
    }

    private static double[] Importance(ElasticMBConv block)
    {
        var w = block.ProjectConv.Weight;
        int mid = block.MaxMiddleChannels;
        var imp = new double[mid];
        for (int o = 0; o < w.Shape[0]; o++) for (int c = 0; c < mid; c++) imp[c] += Math.Abs(w.Data[o * mid + c]);
        return imp;
    }

    private static ArchConfig WithExpands(Random rng, params int[] expands)
    {
        var c = ArchSampling.Sample(Space, rng);
        var e = new int[Space.BlockSlots];
        for (int i = 0; i < e.Length; i++) e[i] = expands[rng.Next(expands.Length)];
        return new ArchConfig(c.Depths, c.Kernels, e, c.MelBins, c.HopFactor);
    }

    [Fact]
    public void Full_sort_leaves_the_full_width_network_unchanged_and_puts_the_most_important_channels_first()
    {
        var net = Build(41);
        var rng = new Random(42);
        var x = TinySupernet.Input(rng, 3);
        var full = new[] { ArchConfig.Max(Space), WithExpands(rng, 3), WithExpands(rng, 3) };
        var narrow = ArchConfig.Min(Space);
        var before = full.Select(c => net.Forward(x, c)).ToArray();
        var narrowBefore = net.Forward(x, narrow);
        var importanceBefore = Enumerable.Range(0, Space.StageCount).SelectMany(s => Enumerable.Range(0, Space.MaxDepth).Select(b => Importance(net.Block(s, b)))).ToArray();

        var perms = ChannelSorter.SortMiddleChannels(net, [3]);

        for (int i = 0; i < full.Length; i++)
        {
            double diff = TinySupernet.MaxAbsDiff(net.Forward(x, full[i]), before[i]);
            Assert.True(diff < 1e-5, $"{full[i]}: output changed by {diff:E2}");
        }
        Assert.True(TinySupernet.MaxAbsDiff(net.Forward(x, narrow), narrowBefore) > 1e-4, "the sort changed nothing a narrow sub-network sees");
        Assert.Equal(Space.StageCount * Space.MaxDepth, perms.Count);
        for (int k = 0; k < perms.Count; k++)
        {
            var block = net.Block(perms[k].Stage, perms[k].Block);
            var imp = Importance(block);
            for (int c = 1; c < imp.Length; c++) Assert.True(imp[c - 1] >= imp[c], $"block {k}: importance not sorted at {c}");
            // Every narrower width's prefix holds the top channels by the importance measured before the sort.
            foreach (int e in Space.ExpandChoices)
            {
                int w = ElasticMBConv.MiddleChannels(block.MaxInChannels, e);
                var top = Enumerable.Range(0, imp.Length).OrderByDescending(c => importanceBefore[k][c]).ThenBy(c => c).Take(w).Order();
                Assert.Equal(top, perms[k].Middle.Take(w).Order());
            }
            Assert.Equal(block.Se is not null, perms[k].SeHidden is not null);
        }
    }

    [Fact]
    public void Sorting_within_trained_groups_keeps_every_trained_width_unchanged_and_feeds_the_new_width_the_best()
    {
        var net = Build(43);
        var rng = new Random(44);
        var x = TinySupernet.Input(rng, 3);
        var trained = Enumerable.Range(0, 4).Select(_ => WithExpands(rng, 2, 3)).Append(ArchConfig.Uniform(Space, 3, 7, 2)).ToArray();
        var before = trained.Select(c => net.Forward(x, c)).ToArray();
        var importanceBefore = Importance(net.Block(1, 1));

        var perms = ChannelSorter.SortMiddleChannels(net, [3, 2]);

        for (int i = 0; i < trained.Length; i++)
        {
            double diff = TinySupernet.MaxAbsDiff(net.Forward(x, trained[i]), before[i]);
            Assert.True(diff < 1e-5, $"{trained[i]}: output changed by {diff:E2}");
        }
        var block = net.Block(1, 1);
        var p = perms.Single(q => q.Stage == 1 && q.Block == 1);
        int w1 = ElasticMBConv.MiddleChannels(block.MaxInChannels, 1), w2 = ElasticMBConv.MiddleChannels(block.MaxInChannels, 2);
        Assert.True(p.Middle.Take(w2).All(c => c < w2), "a channel crossed the trained width-2 boundary");
        var best = Enumerable.Range(0, w2).OrderByDescending(c => importanceBefore[c]).ThenBy(c => c).Take(w1).Order();
        Assert.Equal(best, p.Middle.Take(w1).Order());
        // SE hidden units stay within their trained groups too.
        int h2 = Channels.SqueezeWidth(w2);
        Assert.True(p.SeHidden!.Take(h2).All(h => h < h2));
    }

    [Fact]
    public void Unknown_expand_ratio_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ChannelSorter.SortMiddleChannels(Build(45), [5]));
        Assert.Contains("trainedExpandRatios = 5", e.Message);
    }
}
