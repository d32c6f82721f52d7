using System.Text.Json;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Experiment;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Tests;

public sealed class ExperimentRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-experiment-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Two stages of 8-16 channels, every dimension elastic (so progressive shrinking has all its phases).</summary>
    private static readonly ArchSpace TinySpace = new()
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
    };

    private ExperimentSettings Tiny(string manifest, double[] budgets) => new()
    {
        Manifest = manifest,
        Training = new TrainingRunSettings
        {
            Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 },
            WidthMultiplier = 1.0,
            Space = TinySpace,
            BatchSize = 4,
            LearningRate = 0.05f,
            RecalibrationClips = 8,
        },
        TeacherEpochs = 1,
        SupernetEpochs = 4, // kernel, depth1, expand1, resolution
        BaselineEpochs = 1,
        Search = new BudgetSearchSettings { Budgets = budgets, Population = 8, Generations = 1, RecalibrationClips = 8 },
        Seeds = [1, 2],
        HumanBaselines = true,
    };

    [Fact]
    public void Tiny_experiment_trains_every_arm_per_seed_and_budget_writes_the_report_and_a_rerun_reuses_everything()
    {
        string manifest = TinyDatasets.MultiLabel(Path.Combine(_dir, "data"), train: 12, val: 6, test: 6);
        var probe = TinySpace with { Input = TinySpace.Input with { MelBins = 16, Frames = 51 }, Classes = 3 };
        double min = new FlopsCounter(probe).Count(ArchConfig.Min(probe)).Macs / 1e6;
        double[] budgets = [Math.Round(min * 1.3, 4), Math.Round(min * 3, 4)];
        string outDir = Path.Combine(_dir, "exp");
        var log = new StringWriter();
        var report = ExperimentRun.Run(Tiny(manifest, budgets), outDir, new RunObserver { Log = log });

        foreach (int seed in new[] { 1, 2 })
            foreach (double b in budgets)
                foreach (string arm in ExperimentRun.ArmOrder)
                {
                    var found = report.Arms.Where(a => a.Seed == seed && a.Budget == b && a.Arm == arm).ToList();
                    Assert.True(found.Count == 1 || arm.StartsWith("human", StringComparison.Ordinal), $"{arm} @ {b}, seed {seed}: {found.Count} results");
                    foreach (var a in found)
                    {
                        Assert.True(a.Macs <= b * 1e6, $"{arm} @ {b}: {a.Macs} MACs break the budget");
                        Assert.InRange(a.Validation, 0, 1);
                        Assert.InRange(a.Test!.Value, 0, 1);
                    }
                }
        // The searched and the retrained architectures are the same network.
        foreach (var ofa in report.Arms.Where(a => a.Arm == "ofa"))
        {
            var scratch = report.Arms.Single(a => a.Arm == "scratch" && a.Seed == ofa.Seed && a.Budget == ofa.Budget);
            Assert.Equal((ofa.Macs, ofa.Params), (scratch.Macs, scratch.Params));
        }
        foreach (var f in new[] { ExperimentRun.ReportFile, ExperimentRun.ReportJsonFile, ExperimentRun.PlotFile, "experiment.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing");
        string md = File.ReadAllText(report.ReportPath);
        foreach (double b in budgets) Assert.Contains($"## Budget {BudgetSearch.Format(b)} M MACs", md);
        Assert.Contains("OFA vs scratch:", md);
        Assert.Contains("OFA vs kd:", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ExperimentRun.ReportJsonFile)));
        Assert.Equal(report.Arms.Count, json.RootElement.GetProperty("arms").GetArrayLength());

        // A rerun trains and searches nothing: every results.json and search.json stays as it was.
        var stamps = Directory.GetFiles(outDir, "*.json", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(TrainingRun.ResultsFile, StringComparison.Ordinal) || f.EndsWith(BudgetSearch.ResultFile, StringComparison.Ordinal))
            .ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.True(stamps.Count >= 2 * (2 + 1 + 2 * 2));
        var again = ExperimentRun.Run(Tiny(manifest, budgets), outDir, new RunObserver());
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
        Assert.Equal(report.Arms.Select(a => (a.Arm, a.Budget, a.Seed, a.Test)), again.Arms.Select(a => (a.Arm, a.Budget, a.Seed, a.Test)));
    }

    [Fact]
    public void Report_arithmetic_on_hand_cases()
    {
        Assert.Equal(0.25, ExperimentReportWriter.RelativeImprovement(0.5, 0.4), 12);
        Assert.Equal(-0.2, ExperimentReportWriter.RelativeImprovement(0.4, 0.5), 12);
        Assert.Equal(0.0, ExperimentReportWriter.Std([0.3]));
        Assert.Equal(Math.Sqrt(0.02 / 2), ExperimentReportWriter.Std([0.4, 0.5, 0.6]), 12); // sample sd: sum of squares 0.02 over n-1 = 2
        var arms = new List<ArmResult>
        {
            new("ofa", 1, 1, "", 1, 1, 0.5, 0.60, 0, ""), new("kd", 1, 1, "", 1, 1, 0.5, 0.55, 0, ""),
            new("ofa", 1, 2, "", 1, 1, 0.5, 0.50, 0, ""), new("kd", 1, 2, "", 1, 1, 0.5, 0.52, 0, ""),
            new("ofa", 1, 3, "", 1, 1, 0.5, 0.70, 0, ""), new("kd", 1, 3, "", 1, 1, 0.5, 0.60, 0, ""),
        };
        Assert.Equal((2, 3), ExperimentReportWriter.PairedWins(arms, "kd", 1));
        var summary = ExperimentReportWriter.Summarize(arms);
        var ofa = summary.Single(s => s.Arm == "ofa");
        Assert.Equal(0.6, ofa.TestMean!.Value, 12);
        Assert.Equal(0.1, ofa.TestStd!.Value, 12);
        Assert.Equal(["ofa", "kd"], summary.Select(s => s.Arm)); // report order: ofa first
    }

    [Fact]
    public void Human_choice_is_the_widest_full_mobilenet_that_fits_and_none_when_nothing_fits()
    {
        string manifest = TinyDatasets.MultiLabel(Path.Combine(_dir, "data2"), train: 6, val: 2, test: 2);
        var shared = new TrainingRunSettings { Manifest = manifest, Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 }, Space = TinySpace };
        using var data = PreparedDataset.Open(manifest, shared.Data, Path.Combine(_dir, "cache2"));
        var space = SpaceFactory.ForData(1.0, true, data.MelBins, data.Frames, data.Classes, TinySpace);
        long max = new FlopsCounter(space).Count(ArchConfig.Max(space)).Macs;
        var choice = ExperimentRun.HumanChoice(shared, data, max, BudgetUnit.MMacs);
        Assert.NotNull(choice);
        Assert.True(choice!.Value.Width >= 1.0); // the full space's largest fits its own MACs
        var tight = ExperimentRun.HumanChoice(shared, data, max / 2, BudgetUnit.MMacs)!.Value;
        Assert.True(tight.Width < 1.0 || tight.Config.MelBins < 16 || tight.Config.HopFactor > 1); // narrower, or at a lower resolution
        var tightSpace = SpaceFactory.ForData(tight.Width, true, data.MelBins, data.Frames, data.Classes, TinySpace);
        Assert.True(new FlopsCounter(tightSpace).Count(tight.Config).Macs <= max / 2);
        Assert.Null(ExperimentRun.HumanChoice(shared, data, 10, BudgetUnit.MMacs));
    }
}
