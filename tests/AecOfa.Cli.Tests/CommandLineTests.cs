using AecOfa.Cli;
using AecOfa.Cli.Bench;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

public class CommandLineTests
{
    [Fact]
    public void Space_PrintsTheReferenceSubnetCounts()
    {
        var (code, output, _) = Run("space");
        Assert.Equal(0, code);
        Assert.Contains("21,758,655,492,572,485,851", output);
        Assert.Contains("6,396,282", output);
        Assert.Contains("2,142,314", output);
    }

    [Fact]
    public void MalformedOption_IsAnInputError()
    {
        var (code, _, err) = Run("space", "--width-multiplier", "wide");
        Assert.Equal(2, code);
        Assert.Contains("wide", err);
    }

    [Fact]
    public void Manifest_UnknownFormat_NamesTheChoices()
    {
        string root = Directory.CreateTempSubdirectory("aecofa-cli").FullName;
        try
        {
            var (code, _, err) = Run("manifest", "--format", "nope", "--root", root);
            Assert.Equal(2, code);
            Assert.Contains("esc50", err);
            Assert.DoesNotContain("   at ", err); // no stack trace
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Synth_ThenManifestFolders_WritesReadableManifests()
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-cli").FullName;
        try
        {
            var (code, output, _) = Run("synth", "--out", dir, "--train", "3", "--val", "1", "--test", "1", "--seconds", "1");
            Assert.Equal(0, code);
            Assert.Contains("wrote 5 clips", output);
            var manifest = AecOfa.Audio.Datasets.Manifest.Read(dir, new AecOfa.Audio.Datasets.ManifestReadOptions(AllowEmptyLabels: true, CheckAudioExists: true));
            Assert.Equal(5, manifest.Entries.Count);
            var (badCode, _, err) = Run("synth", "--out", dir, "--seconds", "-1");
            Assert.Equal(2, badCode);
            Assert.Contains("--seconds: must be in [0.5, 4] s, got -1.", err);
            Assert.DoesNotContain("SyntheticEventsOptions", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void QuickBench_KernelsOnly_ReportsPositiveFiniteNumbers()
    {
        var lines = new List<BenchLine>();
        var bench = new QuickBench(lines.Add) { Effort = 0.01, IncludeTraining = false, ThreadCounts = [1] };
        bench.Run();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.True(double.IsFinite(l.Value) && l.Value > 0, $"{l.Name} = {l.Value}"));
    }
}
