using AecOfa.Cli;
using AecOfa.Pipelines.Latency;
using AecOfa.Nas.Space;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>`aecofa latency` on a tiny space: writes a readable table and prints the check's error distribution.</summary>
public sealed class LatencyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-cli-latency").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void TableAndCheck_OnATinySpace()
    {
        var space = new ArchSpace
        {
            Input = new InputSpec { MelBins = 16, Frames = 51, MelBinChoices = [16, 8], HopFactorChoices = [1, 2] },
            StemWidth = 8,
            Stages = [new(8, 2, Activation.Relu, false), new(16, 2, Activation.Hswish, true)],
            MaxDepth = 2,
            KernelChoices = [3, 5],
            ExpandChoices = [2, 3],
            DepthChoices = [1, 2],
            FinalExpandWidth = 24,
            FeatureMixWidth = 32,
            Classes = 3,
        };
        string spacePath = Path.Combine(_dir, "space.json"), tablePath = Path.Combine(_dir, "table.json");
        space.Save(spacePath);
        var (code, output, err) = Run("latency", "--space", spacePath, "--table", tablePath, "--check", "--count", "3",
            "--repeats", "2", "--warmup", "0", "--batch", "1", "2");
        Assert.True(code == 0, err);
        Assert.Contains("error of the medians", output);
        Assert.Contains("within 15%", output);
        var table = LatencyTable.Load(tablePath);
        Assert.Equal(space, ArchSpace.FromJson(table.SpaceJson));
        Assert.Equal([1, 2], table.BatchSizes);
        Assert.True(table.Predict(ArchConfig.Max(space), batch: 2, includeFrontEnd: true) > 0);

        (code, output, err) = Run("latency", "--space", spacePath, "--from", tablePath, "--check", "--count", "1", "--repeats", "1");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("measuring", output);

        (code, _, err) = Run("latency", "--space", spacePath);
        Assert.Equal(2, code);
        Assert.Contains("--table", err);
    }
}
