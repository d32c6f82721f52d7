using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class ArchConfigTests
{
    private static readonly ArchSpace S = ArchSpace.Default;

    private static int[] Fill(int n, int v) => Enumerable.Repeat(v, n).ToArray();

    [Fact]
    public void Inactive_genes_are_canonicalized_so_equal_networks_are_equal()
    {
        int[] depths = [2, 3, 4, 2, 3];
        var k1 = Enumerable.Range(0, 20).Select(i => new[] { 3, 5, 7 }[i % 3]).ToArray();
        var e1 = Enumerable.Range(0, 20).Select(i => new[] { 3, 4, 6 }[i % 3]).ToArray();
        var k2 = (int[])k1.Clone();
        var e2 = (int[])e1.Clone();
        // Change only inactive slots: stage 0 block 2,3; stage 3 block 3.
        k2[2] = 7; k2[3] = 99; e2[15] = -1;
        var a = new ArchConfig(depths, k1, e1, 64, 1);
        var b = new ArchConfig(depths, k2, e2, 64, 1);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(0, a.Kernel(0, 2));
        Assert.Equal(0, a.Expand(3, 3));
        Assert.False(a.IsActive(0, 2));
        Assert.True(a.IsActive(2, 3));
        Assert.Equal(14, a.ActiveBlocks);

        // Changing an active gene or a resolution gene breaks equality.
        k2[4] = k2[4] == 3 ? 5 : 3;
        Assert.NotEqual(a, new ArchConfig(depths, k2, e2, 64, 1));
        Assert.NotEqual(a, a.WithResolution(64, 2));
        Assert.Equal(a, a.WithResolution(64, 1));
    }

    [Fact]
    public void Config_does_not_alias_the_callers_arrays()
    {
        var k = Fill(20, 5);
        var c = new ArchConfig(Fill(5, 4), k, Fill(20, 4), 64, 1);
        k[0] = 7;
        Assert.Equal(5, c.Kernel(0, 0));
    }

    [Fact]
    public void Hash_set_deduplicates_equivalent_configs()
    {
        var rng = new Random(3);
        var set = new HashSet<ArchConfig>();
        for (int i = 0; i < 200; i++)
        {
            var c = ArchSampling.Sample(S, rng);
            set.Add(c);
            // Same network with different garbage in the inactive slots.
            var k = c.Kernels.ToArray();
            var e = c.Expands.ToArray();
            for (int s = 0; s < 5; s++)
                for (int b = c.Depth(s); b < 4; b++) { k[s * 4 + b] = 7; e[s * 4 + b] = 6; }
            set.Add(new ArchConfig(c.Depths, k, e, c.MelBins, c.HopFactor));
        }
        Assert.Equal(200, set.Count);
    }

    [Fact]
    public void Min_and_Max_are_the_extremes_of_the_space()
    {
        var max = ArchConfig.Max(S);
        var min = ArchConfig.Min(S);
        Assert.Equal(ArchConfig.Uniform(S, 4, 7, 6), max);
        Assert.Equal(ArchConfig.Uniform(S, 2, 3, 3), min);
        Assert.Equal(64, max.MelBins);
        Assert.Equal(1, max.HopFactor);

        var elastic = S with { Input = new InputSpec { MelBinChoices = [32, 48, 64], HopFactorChoices = [1, 2] } };
        Assert.Equal((64, 1), (ArchConfig.Max(elastic).MelBins, ArchConfig.Max(elastic).HopFactor));
        Assert.Equal((32, 2), (ArchConfig.Min(elastic).MelBins, ArchConfig.Min(elastic).HopFactor));
        Assert.Equal(50, ArchConfig.Min(elastic).Frames(elastic));
    }

    [Fact]
    public void Validate_names_field_index_value_and_allowed_set()
    {
        var k = Fill(20, 5);
        k[2 * 4 + 1] = 4;
        var bad = new ArchConfig(Fill(5, 3), k, Fill(20, 4), 64, 1);
        var e = Assert.Throws<ArgumentException>(() => bad.Validate(S));
        Assert.Contains("stages[2].blocks[1].kernel = 4 is not one of {3, 5, 7}", e.Message);

        var ex = Fill(20, 4);
        ex[4 * 4 + 2] = 5;
        e = Assert.Throws<ArgumentException>(() => new ArchConfig(Fill(5, 3), Fill(20, 5), ex, 64, 1).Validate(S));
        Assert.Contains("stages[4].blocks[2].expand = 5 is not one of {3, 4, 6}", e.Message);

        int[] depths = [4, 4, 1, 4, 4];
        e = Assert.Throws<ArgumentException>(() => new ArchConfig(depths, Fill(20, 5), Fill(20, 4), 64, 1).Validate(S));
        Assert.Contains("stages[2].depth = 1 is not one of {2, 3, 4}", e.Message);

        e = Assert.Throws<ArgumentException>(() => ArchConfig.Max(S).WithResolution(32, 1).Validate(S));
        Assert.Contains("input.melBins = 32 is not one of {64}", e.Message);
        e = Assert.Throws<ArgumentException>(() => ArchConfig.Max(S).WithResolution(64, 2).Validate(S));
        Assert.Contains("input.hopFactor = 2 is not one of {1}", e.Message);

        // A bad gene in an inactive slot is not an error: it is not part of the network.
        var k2 = Fill(20, 5);
        k2[3] = 4;
        new ArchConfig(Fill(5, 3), k2, Fill(20, 4), 64, 1).Validate(S);

        var threeStages = new ArchConfig(Fill(3, 2), Fill(12, 3), Fill(12, 3), 64, 1);
        Assert.False(threeStages.TryValidate(S, out string? msg));
        Assert.Contains("stages has 3 entries; the space has 5 stages", msg);
    }

    [Fact]
    public void Constructor_rejects_inconsistent_shapes()
    {
        Assert.Throws<ArgumentException>(() => new ArchConfig(Fill(5, 2), Fill(19, 3), Fill(19, 3), 64, 1));
        Assert.Throws<ArgumentException>(() => new ArchConfig(Fill(5, 2), Fill(20, 3), Fill(15, 3), 64, 1));
        var e = Assert.Throws<ArgumentException>(() => new ArchConfig([2, 2, 5, 2, 2], Fill(20, 3), Fill(20, 3), 64, 1));
        Assert.Contains("depths[2] = 5 is outside 0..4", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchConfig.Max(S).Kernel(5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchConfig.Max(S).Kernel(0, 4));
    }

    [Fact]
    public void Json_round_trip_writes_only_active_blocks_with_readable_names()
    {
        var rng = new Random(11);
        var elastic = S with { Input = new InputSpec { MelBinChoices = [32, 64], HopFactorChoices = [1, 2] } };
        for (int i = 0; i < 50; i++)
        {
            var c = ArchSampling.Sample(elastic, rng);
            var back = ArchConfig.FromJson(c.ToJson(), elastic);
            Assert.Equal(c, back);
        }
        var min = ArchConfig.Min(S);
        string json = min.ToJson();
        Assert.Contains("\"melBins\": 64", json);
        Assert.Contains("\"hopFactor\": 1", json);
        Assert.Contains("\"kernel\": 3", json);
        Assert.Contains("\"expand\": 3", json);
        Assert.Contains("\"depth\": 2", json);
        Assert.Equal(10, json.Split("\"kernel\"").Length - 1); // 5 stages x depth 2
    }

    [Theory]
    [InlineData("""{"stages":[{"depth":2,"blocks":[{"kernel":3,"expand":3},{"kernel":3,"expand":3}]}]}""", "stages has 1 entries; the space has 5 stages")]
    [InlineData("""{"stages":[{"depth":2,"blocks":[{"kernel":3,"expand":3}]},{},{},{},{}]}""", "stages[0].blocks has 1 entries but stages[0].depth = 2")]
    [InlineData("""{"stages":[{"blocks":[]},{},{},{},{}]}""", "stages[0].depth is missing")]
    [InlineData("""{"stages":[{"depth":5,"blocks":[]},{},{},{},{}]}""", "stages[0].depth = 5 is not one of {2, 3, 4}")]
    [InlineData("""{"stages":[{"depth":2,"blocks":[{"kernel":3},{"kernel":3,"expand":3}]},{},{},{},{}]}""", "stages[0].blocks[0].expand is missing")]
    [InlineData("""{"stage":[]}""", "stage")]
    [InlineData("""{"stages":[{"depth":"two"}]}""", "$.stages[0].depth")]
    public void Json_errors_name_the_field(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ArchConfig.FromJson(json, S));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Json_gene_errors_use_the_validation_message()
    {
        string json = ArchConfig.Uniform(S, 2, 5, 4).ToJson();
        int at = json.IndexOf("\"kernel\": 5", json.IndexOf("\"kernel\": 5", StringComparison.Ordinal) + 1, StringComparison.Ordinal);
        string bad = json[..at] + "\"kernel\": 4" + json[(at + "\"kernel\": 5".Length)..];
        var e = Assert.Throws<FormatException>(() => ArchConfig.FromJson(bad, S));
        Assert.Contains("stages[0].blocks[1].kernel = 4 is not one of {3, 5, 7}", e.Message);
    }

    [Fact]
    public void Save_and_Load_round_trip_through_a_file()
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-config-").FullName;
        try
        {
            string path = Path.Combine(dir, "subnet.json");
            var c = ArchSampling.Sample(S, new Random(5));
            c.Save(path);
            Assert.Equal(c, ArchConfig.Load(path, S));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ToString_lists_active_genes()
    {
        Assert.Equal("d=2,2,2,2,2 k=33|33|33|33|33 e=33|33|33|33|33 in=64x/1", ArchConfig.Min(S).ToString());
    }
}
