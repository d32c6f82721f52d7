using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

public class ArchEncodingTests
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    [Fact]
    public void Layout_is_one_hot_per_gene_with_zeros_for_inactive_slots()
    {
        var encoding = new ArchEncoding(Space);
        Assert.Equal(5 * 3 + 20 * (3 + 3) + 3 + 2, encoding.Length);
        var config = new ArchConfig([2, 3, 4, 2, 3],
            [3, 5, 0, 0, 7, 7, 3, 0, 5, 5, 5, 5, 3, 7, 0, 0, 3, 3, 3, 0],
            [4, 6, 0, 0, 3, 3, 3, 0, 6, 6, 6, 6, 4, 4, 0, 0, 4, 4, 4, 0], 48, 2);
        var x = encoding.Encode(config);
        Assert.All(x, v => Assert.True(v is 0f or 1f));
        Assert.Equal(5 + 2 * config.ActiveBlocks + 2, x.Count(v => v == 1f));
        // Stage 2 has depth 4: the third of {2, 3, 4}.
        Assert.Equal([0f, 0f, 1f], x[6..9]);
        // Slot 0: kernel 3 (first of {3,5,7}), expand 4 (second of {3,4,6}).
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], x[15..21]);
        // Slot 2 (stage 0, block 2) is inactive: zeros.
        Assert.All(x[(15 + 2 * 6)..(15 + 3 * 6)], v => Assert.Equal(0f, v));
        // Mel 48 (second of {64, 48, 32}), hop 2 (second of {1, 2}).
        Assert.Equal([0f, 1f, 0f, 0f, 1f], x[^5..]);
    }

    [Fact]
    public void Equal_configs_encode_alike_and_different_ones_differently()
    {
        var encoding = new ArchEncoding(Space);
        var rng = new Random(2);
        var seen = new Dictionary<string, ArchConfig>();
        for (int i = 0; i < 300; i++)
        {
            var c = ArchSampling.Sample(Space, rng);
            string key = string.Concat(encoding.Encode(c).Select(v => v == 1f ? '1' : '0'));
            if (seen.TryGetValue(key, out var other)) Assert.Equal(other, c);
            else seen[key] = c;
        }
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var encoding = new ArchEncoding(Space);
        var c = ArchConfig.Max(Space);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => encoding.Encode(c, new float[encoding.Length - 1])).ParamName);
        var bad = new ArchConfig(c.Depths, c.Kernels.ToArray().Select(k => k == 7 ? 9 : k).ToArray(), c.Expands, c.MelBins, c.HopFactor);
        Assert.Contains("stages[0].blocks[0].kernel = 9", Assert.Throws<ArgumentException>(() => encoding.Encode(bad)).Message);
        var tiny = ArchConfig.Max(Supernet.TinySupernet.Space);
        Assert.Equal("config", Assert.Throws<ArgumentException>(() => encoding.Encode(tiny)).ParamName);
    }
}
