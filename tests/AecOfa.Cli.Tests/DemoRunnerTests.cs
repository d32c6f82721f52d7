using System.Text.Json;
using AecOfa.Cli.Demo;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Cli.Tests;

public sealed class DemoRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A few 0.5 s clips, 16 mel bins, a two-stage space with 8-16 channels: the whole demo in seconds.</summary>
    private DemoOptions Tiny(bool resume = false) => new()
    {
        OutDir = _dir,
        TrainClips = 12,
        Epochs = 2,
        ClipSeconds = 0.5,
        MelBins = 16,
        BatchSize = 4,
        EvalRandomSubnets = 3,
        TestBest = 2,
        RecalibrationClips = 8,
        Quiet = true,
        Resume = resume,
        Space = new ArchSpace
        {
            Input = new InputSpec { MelBinChoices = [16, 12], HopFactorChoices = [1, 2] },
            StemWidth = 8,
            Stages = [new(8, 2, Activation.Relu, false), new(16, 2, Activation.Hswish, true)],
            MaxDepth = 2,
            KernelChoices = [3, 5],
            ExpandChoices = [2, 3],
            DepthChoices = [1, 2],
            FinalExpandWidth = 24,
            FeatureMixWidth = 32,
        },
    };

    [Fact]
    public void Tiny_demo_runs_end_to_end_and_a_resumed_rerun_reuses_everything_and_reproduces_it()
    {
        var log = new StringWriter();
        var result = DemoRunner.Run(Tiny(), log);
        string text = log.ToString();
        Assert.Contains("dataset: generating 12 train / 4 val / 4 test clips", text);
        Assert.Contains("epoch 2/2", text);
        Assert.Contains("Distinct sub-networks", text); // the space summary

        // Smallest, largest and three random sub-networks, each with cost and a validation mAP in [0, 1].
        Assert.Equal(5, result.Rows.Count);
        Assert.Contains(result.Rows, r => r.Name == "smallest");
        Assert.Contains(result.Rows, r => r.Name == "largest");
        Assert.All(result.Rows, r => Assert.InRange(r.ValMap, 0.0, 1.0));
        Assert.True(result.Rows.Zip(result.Rows.Skip(1)).All(p => p.First.Macs <= p.Second.Macs));
        Assert.InRange(result.Rows.Count(r => r.TestMap is not null), 1, 2);
        Assert.All(result.Rows.Where(r => r.TestMap is not null), r => Assert.True(r.OnFront));

        // Outputs: results.json (parseable, matching the table), a PNG, the extracted best sub-network.
        using var json = JsonDocument.Parse(File.ReadAllText(result.ResultsPath));
        var subnets = json.RootElement.GetProperty("subnets");
        Assert.Equal(5, subnets.GetArrayLength());
        Assert.Equal(result.Best.ValMap, json.RootElement.GetProperty("best").GetProperty("valMap").GetDouble());
        Assert.Equal(2, json.RootElement.GetProperty("training").GetArrayLength());
        var png = File.ReadAllBytes(result.PlotPath);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var package = StaticNetworkFile.Load(result.ModelPath);
        Assert.Equal(result.Best.Config, package.Network.Config);
        Assert.Contains("normalization", package.FrontEnd.Keys);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));

        // Rerun with --resume: dataset and feature cache reused, training already complete, identical numbers.
        var log2 = new StringWriter();
        var again = DemoRunner.Run(Tiny(resume: true), log2);
        Assert.Contains("dataset: reusing", log2.ToString());
        Assert.DoesNotContain("epoch 1/2", log2.ToString());
        Assert.Contains("resumed after epoch 2", log2.ToString());
        Assert.Equal(result.Rows.Select(r => (r.Name, r.ValMap, r.TestMap)), again.Rows.Select(r => (r.Name, r.ValMap, r.TestMap)));
    }

    [Fact]
    public void Augmented_training_changes_the_losses_but_not_the_data_on_disk()
    {
        static double FirstEpochLoss(string resultsPath)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(resultsPath));
            return json.RootElement.GetProperty("training")[0].GetProperty("meanTotal").GetDouble();
        }
        var options = Tiny() with { Epochs = 1, EvalRandomSubnets = 0, TestBest = 1 };
        double plain = FirstEpochLoss(DemoRunner.Run(options, new StringWriter()).ResultsPath);
        Assert.Equal(plain, FirstEpochLoss(DemoRunner.Run(options, new StringWriter()).ResultsPath)); // deterministic
        var log = new StringWriter();
        var result = DemoRunner.Run(options with { SpecAugment = true, MixupAlpha = 1.0 }, log);
        Assert.Contains("dataset: reusing", log.ToString());
        Assert.NotEqual(plain, FirstEpochLoss(result.ResultsPath));
        using var json = JsonDocument.Parse(File.ReadAllText(result.ResultsPath));
        Assert.True(json.RootElement.GetProperty("demo").GetProperty("specAugment").GetBoolean());
        Assert.Equal(1.0, json.RootElement.GetProperty("demo").GetProperty("mixupAlpha").GetDouble());
    }
}
