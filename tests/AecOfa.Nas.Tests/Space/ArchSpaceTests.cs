using System.Numerics;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class ArchSpaceTests
{
    [Fact]
    public void Default_space_is_the_ofa_mobilenetv3_space()
    {
        var s = ArchSpace.Default;
        Assert.Equal(16, s.StemChannels);
        Assert.Equal(new[] { 24, 40, 80, 112, 160 }, Enumerable.Range(0, 5).Select(s.StageChannels));
        Assert.Equal(new[] { 2, 2, 2, 1, 2 }, s.Stages.Select(x => x.Stride));
        Assert.Equal(new[] { false, true, false, true, true }, s.Stages.Select(x => x.UseSe));
        Assert.Equal(new[] { Activation.Relu, Activation.Relu, Activation.Hswish, Activation.Hswish, Activation.Hswish },
            s.Stages.Select(x => x.Activation));
        Assert.Equal(960, s.FinalExpandChannels);
        Assert.Equal(1280, s.FeatureMixChannels);
        Assert.Equal(20, s.BlockSlots);
        Assert.False(s.Input.IsElastic);
    }

    [Fact]
    public void CountSubnets_counts_only_active_blocks()
    {
        // Per stage 9^2 + 9^3 + 9^4 = 7371 distinct stages; five independent stages.
        Assert.Equal(BigInteger.Pow(7371, 5), ArchSpace.Default.CountSubnets());
        Assert.InRange((double)ArchSpace.Default.CountSubnets(), 2.175e19, 2.176e19); // 2.1759e19

        // Tiny space enumerated by hand: 2 stages, kernels {3}, expands {3,6}, depths {1,2}: (2 + 4)^2 = 36;
        // with 2 mel-bin counts and 3 hop factors: 216.
        var tiny = ArchSpace.Default with
        {
            Stages = [new(8, 2, Activation.Relu, false), new(16, 1, Activation.Hswish, true)],
            MaxDepth = 2, KernelChoices = [3], ExpandChoices = [3, 6], DepthChoices = [1, 2],
        };
        Assert.Equal(new BigInteger(36), tiny.CountSubnets());
        var elastic = tiny with { Input = new InputSpec { MelBinChoices = [32, 64], HopFactorChoices = [1, 2, 4] } };
        Assert.Equal(new BigInteger(216), elastic.CountSubnets());
    }

    [Fact]
    public void Width_multiplier_scales_every_width_through_make_divisible()
    {
        var half = ArchSpace.Default with { WidthMultiplier = 0.5 };
        Assert.Equal(8, half.StemChannels);
        Assert.Equal(new[] { 16, 24, 40, 56, 80 }, Enumerable.Range(0, 5).Select(half.StageChannels));
        Assert.Equal(480, half.FinalExpandChannels);
        Assert.Equal(640, half.FeatureMixChannels);
        var wide = ArchSpace.Default with { WidthMultiplier = 1.2 };
        Assert.Equal(new[] { 32, 48, 96, 136, 192 }, Enumerable.Range(0, 5).Select(wide.StageChannels));
    }

    [Fact]
    public void Json_round_trip_preserves_the_space()
    {
        var custom = ArchSpace.Default with
        {
            Input = new InputSpec { MelBins = 128, Frames = 1000, MelBinChoices = [64, 96, 128], HopFactorChoices = [1, 2] },
            WidthMultiplier = 0.75,
            Classes = 527,
            Dropout = 0.2,
            ExpandChoices = [2, 3, 4, 6],
        };
        foreach (var space in new[] { ArchSpace.Default, custom })
        {
            string json = space.ToJson();
            var back = ArchSpace.FromJson(json);
            Assert.Equal(space, back);
            Assert.Equal(space.GetHashCode(), back.GetHashCode());
            Assert.Equal(json, back.ToJson());
        }
        Assert.NotEqual(ArchSpace.Default, custom);
        string text = ArchSpace.Default.ToJson();
        Assert.Contains("\"kernelChoices\"", text);
        Assert.Contains("\"hswish\"", text);
        Assert.DoesNotContain("stageCount", text);
        string elasticText = custom.ToJson();
        Assert.Contains("\"melBinChoices\"", elasticText);
        Assert.DoesNotContain("melBinSet", elasticText); // derived values are not written
        Assert.DoesNotContain("isElastic", elasticText);
    }

    [Fact]
    public void Json_fills_missing_fields_with_defaults_and_rejects_unknown_ones()
    {
        var s = ArchSpace.FromJson("""{ "classes": 50 }""");
        Assert.Equal(ArchSpace.Default with { Classes = 50 }, s);
        var e = Assert.Throws<FormatException>(() => ArchSpace.FromJson("""{ "kernelChoice": [3] }"""));
        Assert.Contains("kernelChoice", e.Message);
    }

    [Theory]
    [InlineData("""{ "kernelChoices": [3, 4] }""", "kernelChoices[1] = 4 must be an odd number >= 1")]
    [InlineData("""{ "depthChoices": [2, 5] }""", "depthChoices[1] = 5 must be in 1..maxDepth (4)")]
    [InlineData("""{ "expandChoices": [] }""", "expandChoices must not be empty")]
    [InlineData("""{ "expandChoices": [3, 3] }""", "expandChoices[1] = 3 is a duplicate")]
    [InlineData("""{ "stages": [ { "width": 24, "stride": 3, "activation": "relu", "useSe": false } ] }""", "stages[0].stride = 3 is not one of {1, 2}")]
    [InlineData("""{ "widthMultiplier": 0 }""", "widthMultiplier = 0 must be a positive number")]
    [InlineData("""{ "input": { "melBins": 64, "frames": 0 } }""", "input.frames = 0 must be >= 1")]
    public void Invalid_spaces_are_rejected_with_the_field_named(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ArchSpace.FromJson(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Save_and_Load_round_trip_through_a_file()
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-space-").FullName;
        try
        {
            string path = Path.Combine(dir, "space.json");
            var s = ArchSpace.Default with { Classes = 3 };
            s.Save(path);
            s.Save(path); // overwrite
            Assert.Equal(s, ArchSpace.Load(path));
            Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
            File.WriteAllText(path, "{ \"classes\": 0 }");
            var e = Assert.Throws<FormatException>(() => ArchSpace.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("classes = 0", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Input_frames_at_a_hop_factor_round_up()
    {
        var input = new InputSpec { Frames = 101 };
        Assert.Equal(101, input.FramesAt(1));
        Assert.Equal(51, input.FramesAt(2));
        Assert.Equal(26, input.FramesAt(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => input.FramesAt(0));
    }
}
