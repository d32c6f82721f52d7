using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Models;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Tests;

/// <summary>README.md's "Using the library" sample is this file's <see cref="TrainSearchExtract"/>, verbatim: the test
/// checks the README still holds it, and runs it on a tiny dataset.</summary>
public sealed class ReadmeSampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-readme-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // README-SAMPLE-BEGIN
    static string TrainSearchExtract(string manifest, string folder, TrainingRunSettings? recipe = null)
    {
        // Train a supernet on your manifest (defaults: sandwich rule, OFA MobileNetV3 space at width x0.25, 20 epochs).
        var settings = (recipe ?? new TrainingRunSettings()) with { Manifest = manifest };
        var run = TrainingRun.Run(settings, folder);
        foreach (var net in run.Evaluations) Console.WriteLine($"{net.Name}: {net.Macs / 1e6:F2}M MACs, val {net.Validation}");

        // Search the best sub-network under a budget of 1.5x the smallest one's MACs, on validation data.
        var trained = TrainedRun.Open(folder);
        using var data = trained.OpenData();
        double budget = 1.5 * run.Evaluations.Min(e => e.Macs) / 1e6;
        var search = BudgetSearch.Run(trained.LoadSupernet(), data, new BudgetSearchSettings { Budgets = [budget] });
        var best = search.Winners[0];
        Console.WriteLine($"best under {budget:F2}M MACs: {best.Best.Config}, test {best.Test}");

        // Extract it into a deployable file (weights, architecture, front end, class names).
        string model = Path.Combine(folder, "model.safetensors");
        ModelFiles.Extract(trained, best.Best.Config, model);
        return model;
    }
    // README-SAMPLE-END

    [Fact]
    public void The_readme_shows_this_sample_verbatim()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "AecOfa.Pipelines.Tests", "ReadmeSampleTests.cs"));
        string sample = Between(source, "    // README-SAMPLE-BEGIN\n", "    // README-SAMPLE-END");
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        // The README shows the method without the class's indentation.
        string unindented = string.Join("\n", sample.TrimEnd('\n').Split('\n').Select(l => l.StartsWith("    ", StringComparison.Ordinal) ? l[4..] : l));
        Assert.Contains(unindented, readme.Replace("\r\n", "\n"));
    }

    [Fact]
    public void The_sample_trains_searches_and_extracts_on_a_tiny_dataset()
    {
        string manifest = TinyDatasets.MultiLabel(Path.Combine(_dir, "data"), train: 12, val: 6, test: 6);
        var tiny = new TrainingRunSettings
        {
            Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 },
            WidthMultiplier = 0.1,
            Epochs = 2,
            BatchSize = 4,
            RecalibrationClips = 8,
        };
        string model = TrainSearchExtract(manifest, Path.Combine(_dir, "run"), tiny);
        var (report, classes) = ModelFiles.Evaluate(model, manifest, "test");
        Assert.Equal(6, report.Examples);
        Assert.Equal(report.AveragePrecisionPerClass.Length, classes.Count);
    }

    private static string Between(string text, string begin, string end)
    {
        int a = text.IndexOf(begin, StringComparison.Ordinal) + begin.Length, b = text.IndexOf(end, a, StringComparison.Ordinal);
        return text[a..b];
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AecOfa.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("AecOfa.sln not found above the test binaries");
    }
}
