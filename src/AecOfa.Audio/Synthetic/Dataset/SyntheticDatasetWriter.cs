using AecOfa.Audio.Datasets;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Synthetic.Dataset;

/// <summary>Progress of <see cref="SyntheticDatasetWriter.Write"/>: clips written so far out of the total.</summary>
public readonly record struct SyntheticWriteProgress(int Completed, int Total);

/// <summary>What <see cref="SyntheticDatasetWriter.Write"/> produced.</summary>
public sealed record SyntheticWriteResult(string ManifestPath, string ClassesPath, int ClipCount);

/// <summary>
/// Writes a <see cref="SyntheticEventsDataset"/> to disk: {split}/{split}_{index:D6}.wav (16-bit PCM) for every clip of
/// train, val and test, then manifest.csv and classes.txt (the shared <see cref="Manifest"/> format). Clips are
/// generated and written in parallel; each is a function of its (split, index) alone, so the files do not depend on the
/// degree of parallelism. Every file is written atomically; the manifest is written last, so a folder with a manifest
/// has all its audio.
/// </summary>
public static class SyntheticDatasetWriter
{
    private static readonly DatasetSplit[] Splits = [DatasetSplit.Train, DatasetSplit.Validation, DatasetSplit.Test];

    /// <param name="dataset">The dataset to render.</param>
    /// <param name="outputDirectory">Where the WAV files, manifest.csv and classes.txt go.</param>
    /// <param name="progress">Files written so far (optional).</param>
    /// <param name="maxDegreeOfParallelism">-1 = all cores.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    public static SyntheticWriteResult Write(SyntheticEventsDataset dataset, string outputDirectory,
        IProgress<SyntheticWriteProgress>? progress = null, int maxDegreeOfParallelism = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Must be -1 (all cores) or positive.");

        var jobs = new List<(DatasetSplit Split, int Index, string RelativePath)>();
        foreach (DatasetSplit split in Splits)
        {
            string name = split.ManifestName();
            for (int i = 0; i < dataset.Count(split); i++) jobs.Add((split, i, $"{name}/{name}_{i:D6}.wav"));
            Directory.CreateDirectory(Path.Combine(outputDirectory, name));
        }

        var labels = new string[jobs.Count][];
        int completed = 0;
        progress?.Report(new SyntheticWriteProgress(0, jobs.Count));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, jobs.Count, parallel, j =>
        {
            (DatasetSplit split, int index, string relativePath) = jobs[j];
            (AudioClip clip, string[] clipLabels) = dataset.Get(split, index);
            WavWriter.Write(Path.Combine(outputDirectory, relativePath), clip);
            labels[j] = clipLabels;
            progress?.Report(new SyntheticWriteProgress(Interlocked.Increment(ref completed), jobs.Count));
        });

        // The shared manifest format; validated (known labels, no duplicates) before anything is written.
        var entries = jobs.Select((job, j) => new ManifestEntry(job.RelativePath, labels[j], job.Split.ManifestName()));
        new Manifest(outputDirectory, new ClassList(dataset.ClassNames), entries, new ManifestReadOptions(AllowEmptyLabels: true)).Write();
        string classesPath = Path.Combine(outputDirectory, ClassList.FileName);
        string manifestPath = Path.Combine(outputDirectory, Manifest.FileName);
        return new SyntheticWriteResult(manifestPath, classesPath, jobs.Count);
    }
}
