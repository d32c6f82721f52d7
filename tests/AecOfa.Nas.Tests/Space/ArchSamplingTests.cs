using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class ArchSamplingTests
{
    private static readonly ArchSpace Elastic = ArchSpace.Default with
    {
        Input = new InputSpec { MelBinChoices = [32, 48, 64], HopFactorChoices = [1, 2] },
    };

    [Fact]
    public void Samples_are_valid_canonical_and_deterministic_for_a_seed()
    {
        var a = new Random(42);
        var b = new Random(42);
        for (int i = 0; i < 500; i++)
        {
            var c = ArchSampling.Sample(Elastic, a);
            c.Validate(Elastic);
            Assert.Equal(c, ArchSampling.Sample(Elastic, b));
            for (int s = 0; s < 5; s++)
                for (int blk = c.Depth(s); blk < 4; blk++)
                    Assert.Equal((0, 0), (c.Kernel(s, blk), c.Expand(s, blk)));
        }
    }

    [Fact]
    public void Sample_is_uniform_per_gene()
    {
        var rng = new Random(7);
        const int n = 6000;
        var depth = new Dictionary<int, int>();
        var kernel = new Dictionary<int, int>();
        var mel = new Dictionary<int, int>();
        var hop = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            var c = ArchSampling.Sample(Elastic, rng);
            Bump(depth, c.Depth(1));
            Bump(kernel, c.Kernel(2, 0));
            Bump(mel, c.MelBins);
            Bump(hop, c.HopFactor);
        }
        // Each count within 5 standard deviations of n/|set| (binomial), so this fails only for a biased sampler.
        AssertUniform(depth, [2, 3, 4], n);
        AssertUniform(kernel, [3, 5, 7], n);
        AssertUniform(mel, [32, 48, 64], n);
        AssertUniform(hop, [1, 2], n);
    }

    [Fact]
    public void SampleUniformNetwork_weights_depths_by_the_number_of_stage_networks()
    {
        var rng = new Random(9);
        const int n = 8000;
        var depth = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            var c = ArchSampling.SampleUniformNetwork(ArchSpace.Default, rng);
            c.Validate(ArchSpace.Default);
            Bump(depth, c.Depth(0));
        }
        // P(d) = 9^d / 7371: 81/7371, 729/7371, 6561/7371.
        double[] p = [81.0 / 7371, 729.0 / 7371, 6561.0 / 7371];
        int[] d = [2, 3, 4];
        for (int i = 0; i < 3; i++)
        {
            double mean = n * p[i], sd = Math.Sqrt(n * p[i] * (1 - p[i]));
            Assert.InRange(depth.GetValueOrDefault(d[i]), mean - 5 * sd, mean + 5 * sd);
        }
    }

    [Fact]
    public void Uniform_network_sampling_covers_a_tiny_space_evenly()
    {
        // 2 stages, kernels {3}, expands {3, 6}, depths {1, 2}: 36 distinct networks.
        var tiny = ArchSpace.Default with
        {
            Stages = [new(8, 2, Activation.Relu, false), new(16, 1, Activation.Hswish, true)],
            MaxDepth = 2, KernelChoices = [3], ExpandChoices = [3, 6], DepthChoices = [1, 2],
        };
        var rng = new Random(1);
        var counts = new Dictionary<ArchConfig, int>();
        const int n = 36 * 300;
        for (int i = 0; i < n; i++)
        {
            var c = ArchSampling.SampleUniformNetwork(tiny, rng);
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }
        Assert.Equal(36, counts.Count);
        double sd = Math.Sqrt(300 * (1 - 1.0 / 36));
        foreach (var v in counts.Values) Assert.InRange(v, 300 - 5 * sd, 300 + 5 * sd);
    }

    internal static void Bump(Dictionary<int, int> d, int key) => d[key] = d.GetValueOrDefault(key) + 1;

    internal static void AssertUniform(Dictionary<int, int> counts, int[] set, int n)
    {
        Assert.Equal(set.OrderBy(x => x), counts.Keys.OrderBy(x => x));
        double p = 1.0 / set.Length, mean = n * p, sd = Math.Sqrt(n * p * (1 - p));
        foreach (int v in set) Assert.InRange(counts[v], mean - 5 * sd, mean + 5 * sd);
    }
}
