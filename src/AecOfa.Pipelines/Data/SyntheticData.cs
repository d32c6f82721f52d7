using System.Text.Json;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dataset;

namespace AecOfa.Pipelines.Data;

/// <summary>The built-in synthetic household-events dataset on disk, generated once and reused while its options are unchanged.</summary>
public static class SyntheticData
{
    public const string StampFile = "synthetic_options.json";

    /// <summary>Ensures <paramref name="folder"/> holds the dataset of <paramref name="options"/>; returns the manifest path.</summary>
    public static string Ensure(SyntheticEventsOptions options, string folder, TextWriter? log = null, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string stamp = Path.Combine(folder, StampFile), manifest = Path.Combine(folder, Manifest.FileName);
        string wanted = JsonSerializer.Serialize(options);
        if (File.Exists(manifest) && File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
        {
            log?.WriteLine($"dataset: reusing {folder}");
            return manifest;
        }
        log?.WriteLine($"dataset: generating {options.TrainClips} train / {options.ValidationClips} val / {options.TestClips} test clips of {options.ClipSeconds} s into {folder}");
        var sink = progress is null ? null : new Inline(p => progress.Report((p.Completed, p.Total)));
        SyntheticDatasetWriter.Write(new SyntheticEventsDataset(options), folder, sink);
        Audio.IO.AtomicFile.WriteAllText(stamp, wanted);
        return manifest;
    }

    /// <summary>The demo's dataset: <paramref name="trainClips"/> training clips of 1 s, a quarter as many for validation and test.</summary>
    public static SyntheticEventsOptions DemoOptions(int trainClips, double clipSeconds = 1.0) => new()
    {
        TrainClips = trainClips,
        ValidationClips = Math.Max(4, trainClips / 4),
        TestClips = Math.Max(4, trainClips / 4),
        ClipSeconds = clipSeconds,
    };

    // Synchronous: Progress<T> would post to the thread pool and report out of order.
    private sealed class Inline(Action<SyntheticWriteProgress> report) : IProgress<SyntheticWriteProgress>
    {
        public void Report(SyntheticWriteProgress value) => report(value);
    }
}
