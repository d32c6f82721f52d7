using System.Text.Json;
using AecOfa.Engine.IO;
using AecOfa.Nas.Static;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Tests;

/// <summary>
/// `aecofa train` as a library call, end to end on tiny data (a few 0.3-0.5 s clips, 16 mel bins, the OFA space at
/// width x0.1 without elastic resolution, 2 epochs): the run folder's files, a KD run against the full run as frozen
/// teacher, a standalone baseline, resume of a finished run and refusal of an existing one.
/// </summary>
public sealed class TrainingRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-trainrun-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrainingRunSettings Tiny(string manifest, RunStrategy strategy) => new()
    {
        Manifest = manifest,
        Strategy = strategy,
        Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 },
        WidthMultiplier = 0.1,
        ElasticResolution = false,
        Epochs = 2,
        BatchSize = 8,
        LearningRate = 0.05f,
        RecalibrationClips = 16,
        Seed = 3,
    };

    private static List<JsonDocument> MetricsLines(string folder) =>
        File.ReadAllLines(Path.Combine(folder, TrainingRun.MetricsFile)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l)).ToList();

    private static JsonElement Results(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, TrainingRun.ResultsFile))).RootElement;

    private static void AssertPerClass(JsonElement report, int classes, bool singleLabel)
    {
        var perClass = report.GetProperty("perClass");
        Assert.Equal(classes, perClass.GetArrayLength());
        foreach (var c in perClass.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(c.GetProperty("name").GetString()));
            Assert.True(c.TryGetProperty("ap", out _) && c.TryGetProperty("auc", out _) && c.TryGetProperty("f1", out _));
            if (!singleLabel) Assert.Equal(JsonValueKind.Null, c.GetProperty("f1").ValueKind);
        }
        Assert.Equal(singleLabel ? JsonValueKind.Number : JsonValueKind.Null, report.GetProperty("top1").ValueKind);
    }

    [Fact]
    public void Full_then_kd_from_it_then_standalone_write_complete_run_folders_and_resume_trains_nothing_more()
    {
        string manifest = TinyDatasets.Synthetic(Path.Combine(_dir, "synth"));
        int classes = File.ReadAllLines(Path.Combine(manifest, "classes.txt")).Count(l => l.Trim().Length > 0);

        // 1. The full network (the teacher): a supernet run.
        string full = Path.Combine(_dir, "full");
        var fullResult = TrainingRun.Run(Tiny(manifest, RunStrategy.Full), full);
        foreach (var f in new[] { TrainingRun.ConfigFile, TrainingRun.SpaceFile, TrainingRun.MetricsFile, TrainingRun.CheckpointFile, TrainingRun.ResultsFile })
            Assert.True(File.Exists(Path.Combine(full, f)), $"{f} missing in the full run");
        Assert.False(File.Exists(Path.Combine(full, TrainingRun.ModelFile))); // a supernet run ships no fixed model
        Assert.False(File.Exists(Path.Combine(full, TrainingRun.ArchFile)));
        Assert.Empty(Directory.GetFiles(full, "*.tmp"));
        Assert.Equal(RunStrategy.Full, TrainingRunSettings.Load(Path.Combine(full, TrainingRun.ConfigFile)).Strategy);
        var lines = MetricsLines(full);
        Assert.Equal([1, 2], lines.Select(l => l.RootElement.GetProperty("epoch").GetInt32()));
        Assert.All(lines, l =>
        {
            Assert.True(l.RootElement.GetProperty("loss").GetProperty("largest").GetDouble() > 0);
            Assert.True(l.RootElement.GetProperty("validation").TryGetProperty("largest.map", out _));
            // A full-network run trains only the largest: nothing else is validated (it would be untrained).
            Assert.False(l.RootElement.GetProperty("validation").TryGetProperty("smallest.map", out _));
        });
        var results = Results(full);
        Assert.Equal("multi-label", results.GetProperty("task").GetString());
        Assert.Equal(["largest"], results.GetProperty("networks").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        foreach (var network in results.GetProperty("networks").EnumerateArray())
        {
            AssertPerClass(network.GetProperty("validation"), classes, singleLabel: false);
            AssertPerClass(network.GetProperty("test"), classes, singleLabel: false);
        }
        Assert.Equal(2, fullResult.Training.Epochs.Count);

        // 2. Resume of the finished run: nothing more is trained and the outputs are the same.
        string metricsBefore = File.ReadAllText(Path.Combine(full, TrainingRun.MetricsFile));
        var checkpointBefore = File.ReadAllBytes(Path.Combine(full, TrainingRun.CheckpointFile));
        var resumed = TrainingRun.Run(Tiny(manifest, RunStrategy.Full), full, resume: true);
        Assert.Empty(resumed.Training.Steps);
        Assert.Equal(resumed.Training.TotalSteps, resumed.Training.ResumedFromStep);
        Assert.Equal(metricsBefore, File.ReadAllText(Path.Combine(full, TrainingRun.MetricsFile)));
        Assert.Equal(checkpointBefore, File.ReadAllBytes(Path.Combine(full, TrainingRun.CheckpointFile)));
        Assert.Equal(fullResult.Evaluations.Select(e => e.Validation.MeanAveragePrecision), resumed.Evaluations.Select(e => e.Validation.MeanAveragePrecision));

        // 3. An existing run without --resume is refused, and left as it was.
        var e = Assert.Throws<IOException>(() => TrainingRun.Run(Tiny(manifest, RunStrategy.Full), full));
        Assert.Contains("--resume", e.Message);
        Assert.Equal(checkpointBefore, File.ReadAllBytes(Path.Combine(full, TrainingRun.CheckpointFile)));

        // 4. KD of the smallest network from the full run as a frozen teacher.
        string kd = Path.Combine(_dir, "kd");
        var kdResult = TrainingRun.Run(Tiny(manifest, RunStrategy.Kd) with { Arch = "smallest", Teacher = full }, kd);
        AssertFixedRun(kd, classes);
        Assert.Equal(checkpointBefore, File.ReadAllBytes(Path.Combine(full, TrainingRun.CheckpointFile))); // the teacher is never written
        Assert.All(kdResult.Training.Steps, s => Assert.Equal("network", s.Losses.Single().Role));

        // 5. The standalone baseline of the same architecture: labels only, so a different trajectory.
        string standalone = Path.Combine(_dir, "standalone");
        var standaloneResult = TrainingRun.Run(Tiny(manifest, RunStrategy.Standalone) with { Arch = "smallest" }, standalone);
        AssertFixedRun(standalone, classes);
        Assert.NotEqual(kdResult.Training.Steps[0].Total, standaloneResult.Training.Steps[0].Total); // + the KD term
        Assert.Equal(kdResult.Evaluations.Single().Config, standaloneResult.Evaluations.Single().Config);
        Assert.Throws<ArgumentException>(() => TrainingRun.Run(Tiny(manifest, RunStrategy.Standalone) with { Arch = "smallest", Teacher = full }, Path.Combine(_dir, "bad")));
    }

    private static void AssertFixedRun(string folder, int classes)
    {
        foreach (var f in new[] { TrainingRun.ConfigFile, TrainingRun.SpaceFile, TrainingRun.ArchFile, TrainingRun.MetricsFile, TrainingRun.CheckpointFile, TrainingRun.ResultsFile, TrainingRun.ModelFile })
            Assert.True(File.Exists(Path.Combine(folder, f)), $"{f} missing in {folder}");
        Assert.Equal(2, MetricsLines(folder).Count);
        Assert.All(MetricsLines(folder), l => Assert.True(l.RootElement.GetProperty("validation").TryGetProperty("network.map", out _)));
        var network = Results(folder).GetProperty("networks").EnumerateArray().Single();
        Assert.Equal("network", network.GetProperty("name").GetString());
        AssertPerClass(network.GetProperty("validation"), classes, singleLabel: false);
        var package = StaticNetworkFile.Load(Path.Combine(folder, TrainingRun.ModelFile));
        var run = TrainedRun.Open(folder);
        Assert.False(run.IsSupernet);
        Assert.Equal(run.Config, package.Network.Config);
        Assert.Contains("normalization", package.FrontEnd.Keys);
    }

    [Fact]
    public void Single_label_standalone_run_reports_top1_macro_f1_and_per_class_f1_with_a_carved_validation_split()
    {
        string manifest = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 8);
        string folder = Path.Combine(_dir, "single");
        var settings = Tiny(manifest, RunStrategy.Standalone) with { Arch = "largest", Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.3 }, BatchSize = 4 };
        TrainingRun.Run(settings, folder);
        var results = Results(folder);
        Assert.Equal("single-label", results.GetProperty("task").GetString());
        Assert.Equal("top1", results.GetProperty("headline").GetString());
        Assert.True(results.GetProperty("splits").GetProperty("valCarvedFromTrain").GetBoolean());
        Assert.Equal(3, results.GetProperty("splits").GetProperty("val").GetInt32()); // round(0.15 x 8) = 1 per class
        var validation = results.GetProperty("networks")[0].GetProperty("validation");
        AssertPerClass(validation, 3, singleLabel: true);
        Assert.InRange(validation.GetProperty("top1").GetDouble(), 0, 1);
        Assert.InRange(validation.GetProperty("macroF1").GetDouble(), 0, 1);
        Assert.All(MetricsLines(folder), l => Assert.True(l.RootElement.GetProperty("validation").TryGetProperty("network.top1", out _)));
        var config = TrainingRunSettings.Load(Path.Combine(folder, TrainingRun.ConfigFile));
        Assert.Equal(TaskKind.SingleLabel, config.Data.Task); // the resolved (detected) task is recorded
        Assert.Equal(0.3, config.Data.ClipSeconds);
    }

    [Fact]
    public void A_refused_resume_with_changed_settings_leaves_the_run_folder_as_it_was()
    {
        string manifest = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 6);
        string folder = Path.Combine(_dir, "run");
        var settings = Tiny(manifest, RunStrategy.Standalone) with { Arch = "smallest", Epochs = 1, ValidateEveryEpoch = false, Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.3 } };
        TrainingRun.Run(settings, folder);
        string config = File.ReadAllText(Path.Combine(folder, TrainingRun.ConfigFile));
        var checkpoint = File.ReadAllBytes(Path.Combine(folder, TrainingRun.CheckpointFile));

        var e = Assert.Throws<CheckpointException>(() => TrainingRun.Run(settings with { LabelSmoothing = 0.3f }, folder, resume: true));
        Assert.Contains("label_smoothing", e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(folder, TrainingRun.CheckpointFile)));
        Assert.Equal(config, File.ReadAllText(Path.Combine(folder, TrainingRun.ConfigFile)));
    }

    [Fact]
    public void A_resume_with_changed_settings_is_refused_naming_the_setting()
    {
        string manifest = TinyDatasets.SingleLabelTree(Path.Combine(_dir, "tree"), classes: 3, perClass: 6);
        string folder = Path.Combine(_dir, "run");
        var settings = Tiny(manifest, RunStrategy.Standalone) with { Arch = "smallest", Epochs = 1, ValidateEveryEpoch = false, Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.3 } };
        TrainingRun.Run(settings, folder);
        var checkpoint = File.ReadAllBytes(Path.Combine(folder, TrainingRun.CheckpointFile));
        var e = Assert.Throws<CheckpointException>(() => TrainingRun.Run(settings with { LabelSmoothing = 0.3f }, folder, resume: true));
        Assert.Contains("label_smoothing was '0.1", e.Message);
        var seed = Assert.Throws<CheckpointException>(() => TrainingRun.Run(settings with { Seed = 4 }, folder, resume: true));
        Assert.Contains("seed was '3', this run has '4'", seed.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(folder, TrainingRun.CheckpointFile)));
    }
}
