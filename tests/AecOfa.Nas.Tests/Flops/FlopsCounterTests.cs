using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Flops;

public class FlopsCounterTests
{
    private static readonly ArchSpace S = ArchSpace.Default;
    private static readonly FlopsCounter Counter = new(S);

    [Fact]
    public void Reference_subnets_match_flops_py_exactly()
    {
        // python3 /work/shared/peers/flops.py count(64, 100, ...): exact integers.
        var largest = Counter.Count(ArchConfig.Uniform(S, 4, 7, 6));
        Assert.Equal(80_916_672L, largest.Macs);
        Assert.Equal(6_396_282L, largest.Params);
        Assert.Equal(161_833_344L, largest.Flops);
        Assert.Equal((2, 4), (largest.FinalHeight, largest.FinalWidth));

        var smallest = Counter.Count(ArchConfig.Uniform(S, 2, 3, 3));
        Assert.Equal(17_536_992L, smallest.Macs);
        Assert.Equal(2_142_314L, smallest.Params);

        var mid = Counter.Count(ArchConfig.Uniform(S, 3, 5, 4));
        Assert.Equal(35_940_224L, mid.Macs);
        Assert.Equal(3_283_314L, mid.Params);
    }

    // Exact (MACs, params, final map) from flops.py's count() on other inputs, uniform subnets (d, e, k).
    [Theory]
    [InlineData(32, 100, 4, 6, 7, 42_331_360L, 6_396_282L, 1, 4)]
    [InlineData(32, 100, 2, 3, 3, 9_526_960L, 2_142_314L, 1, 4)]
    [InlineData(64, 50, 4, 6, 7, 45_357_952L, 6_396_282L, 2, 2)]
    [InlineData(64, 50, 3, 4, 5, 20_283_392L, 3_283_314L, 2, 2)]
    [InlineData(1, 1, 4, 6, 7, 6_345_792L, 6_396_282L, 1, 1)]
    [InlineData(7, 9, 2, 3, 3, 2_209_384L, 2_142_314L, 1, 1)]
    [InlineData(128, 1000, 4, 6, 7, 1_434_417_280L, 6_396_282L, 4, 32)]
    [InlineData(128, 1000, 2, 3, 3, 296_549_440L, 2_142_314L, 4, 32)]
    public void Rectangular_inputs_match_flops_py(int mel, int frames, int d, int e, int k, long macs, long prm, int fh, int fw)
    {
        var cost = Counter.Count(ArchConfig.Uniform(S, d, k, e), mel, frames);
        Assert.Equal(new SubnetCost(macs, prm, fh, fw), cost);
    }

    [Fact]
    public void Mixed_genes_match_flops_py()
    {
        // flops.py count(64, 100, ks, es, [2,3,4,3,2]) and count(37, 53, ..., classes=7) with these per-slot genes.
        int[] ks = [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5];
        int[] es = [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4];
        var c = new ArchConfig([2, 3, 4, 3, 2], ks, es, 64, 1);
        Assert.Equal(new SubnetCost(36_848_896L, 3_514_442L, 2, 4), Counter.Count(c));
        var seven = new FlopsCounter(S with { Classes = 7 });
        Assert.Equal(new SubnetCost(16_265_528L, 3_510_599L, 2, 2), seven.Count(c, 37, 53));
    }

    [Fact]
    public void Half_width_space_matches_flops_py_with_scaled_widths()
    {
        // flops.py count(..., widths=[16,24,40,56,80], stem=8, final=480, mix=640).
        var half = new FlopsCounter(S with { WidthMultiplier = 0.5 });
        var hs = S with { WidthMultiplier = 0.5 };
        Assert.Equal(new SubnetCost(30_619_136L, 1_777_106L, 2, 4), half.Count(ArchConfig.Max(hs)));
        Assert.Equal(new SubnetCost(5_464_064L, 552_714L, 2, 4), half.Count(ArchConfig.Min(hs)));
        Assert.Equal(new SubnetCost(1_738_640L, 552_714L, 1, 2), half.Count(ArchConfig.Min(hs), 32, 50));
    }

    [Fact]
    public void Resolution_genes_select_the_input()
    {
        var elastic = S with { Input = new InputSpec { MelBinChoices = [32, 64], HopFactorChoices = [1, 2] } };
        var counter = new FlopsCounter(elastic);
        var max = ArchConfig.Max(elastic);
        Assert.Equal(Counter.Count(max, 32, 50), counter.Count(max.WithResolution(32, 2)));
        Assert.Equal(24_552_000L, counter.Count(max.WithResolution(32, 2)).Macs); // flops.py count(32, 50, ...)
        Assert.Equal(5_805_024L, counter.Count(ArchConfig.Min(elastic)).Macs);
        Assert.Equal(80_916_672L, counter.Count(max).Macs);
    }

    [Fact]
    public void Hand_computed_tiny_network()
    {
        // One stage (width 8, stride 1, SE), one block k=3 e=1 (depth 1), stem 8, final 8, mix 8, 2 classes, on 4x6.
        var tiny = new ArchSpace
        {
            Input = new InputSpec { MelBins = 4, Frames = 6 },
            StemWidth = 8,
            Stages = [new StageSpec(8, 1, Activation.Relu, true)],
            MaxDepth = 1, KernelChoices = [3], ExpandChoices = [1], DepthChoices = [1],
            FinalExpandWidth = 8, FeatureMixWidth = 8, Classes = 2,
        };
        // Stem s2 on 4x6 -> 2x3 (6 positions). Every later layer keeps 2x3.
        // stem 8*9*6 = 432 | first dw 8*9*6 = 432, pw 8*8*6 = 384 | expand 8*8*6 = 384, dw 8*9*6 = 432,
        // SE mid 8 -> se md(2) = 8: 2*8*8 = 128, project 384 | final 384 | mix 64 | classifier 16.
        long macs = 432 + 432 + 384 + 384 + 432 + 128 + 384 + 384 + 64 + 16;
        // stem 72+16 | first 72+64+32 | expand 64+16, dw 72+16, SE 64+8+64+8, project 64+16 | final 64+16 | mix 64 | fc 16+2
        long prm = 88 + 168 + 80 + 88 + 144 + 80 + 80 + 64 + 18;
        var cost = new FlopsCounter(tiny).Count(ArchConfig.Max(tiny));
        Assert.Equal(new SubnetCost(macs, prm, 2, 3), cost);
    }

    [Fact]
    public void Random_subnets_match_an_independent_layer_by_layer_count()
    {
        var rng = new Random(2024);
        var spaces = new[]
        {
            S,
            S with { WidthMultiplier = 0.75, Classes = 527 },
            S with { WidthMultiplier = 1.3, ExpandChoices = [1, 2, 3, 4, 6], KernelChoices = [1, 3, 5, 7, 9] },
            S with { Input = new InputSpec { MelBins = 128, Frames = 1001, MelBinChoices = [33, 64, 128], HopFactorChoices = [1, 3] } },
        };
        int[][] inputs = [[64, 100], [1, 1], [3, 7], [33, 17], [128, 1001], [7, 300]];
        foreach (var space in spaces)
        {
            var counter = new FlopsCounter(space);
            for (int i = 0; i < 60; i++)
            {
                var c = ArchSampling.Sample(space, rng);
                var input = inputs[i % inputs.Length];
                var (macs, prm, _) = LayerByLayerReference.Count(space, c, input[0], input[1]);
                var cost = counter.Count(c, input[0], input[1]);
                Assert.Equal((macs, prm), (cost.Macs, cost.Params));
                var (gm, gp, _) = LayerByLayerReference.Count(space, c, c.MelBins, space.Input.FramesAt(c.HopFactor));
                Assert.Equal((gm, gp), (counter.Macs(c), counter.Params(c)));
            }
        }
    }

    [Fact]
    public void Configs_outside_the_precomputed_tables_still_count_exactly()
    {
        // Count does not validate; off-table genes (expand 8, a depth-0 stage) must still follow the formula.
        var k = Enumerable.Repeat(5, 20).ToArray();
        var e = Enumerable.Repeat(8, 20).ToArray();
        e[1] = 2;
        var c = new ArchConfig([2, 0, 3, 1, 4], k, e, 64, 1);
        var (macs, prm, _) = LayerByLayerReference.Count(S, c, 37, 91);
        var cost = Counter.Count(c, 37, 91);
        Assert.Equal((macs, prm), (cost.Macs, cost.Params));
    }

    [Fact]
    public void Reference_enumeration_lists_the_expected_layers()
    {
        var (_, _, layers) = LayerByLayerReference.Count(S, ArchConfig.Min(S), 64, 100);
        // stem + 2 first-block layers + 10 blocks x 3 convs + SE pairs in 3 SE stages x 2 blocks + final + 2 linear
        Assert.Equal(3 + 30 + 12 + 3, layers.Count);
    }

    [Fact]
    public void Count_does_not_allocate()
    {
        var c = ArchConfig.Max(S);
        long sink = 0;
        for (int i = 0; i < 100; i++) sink += Counter.Count(c).Macs; // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) sink += Counter.Count(c).Macs;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1100 * 80_916_672L, sink);
    }

    [Fact]
    public void Mismatched_configs_and_inputs_are_rejected()
    {
        var other = S with { MaxDepth = 5, DepthChoices = [2, 3, 4, 5] };
        var e = Assert.Throws<ArgumentException>(() => Counter.Count(ArchConfig.Max(other)));
        Assert.Contains("5 stages × 5 slots", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Counter.Count(ArchConfig.Max(S), 0, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => Counter.Count(ArchConfig.Max(S), 64, 0));
    }
}
