using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dataset;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-synth").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SyntheticEventsOptions Tiny = new() { Seed = 4, TrainClips = 4, ValidationClips = 2, TestClips = 2, ClipSeconds = 1.0 };

    [Fact]
    public void WritesWellFormedManifestClassesAndAudio()
    {
        var dataset = new SyntheticEventsDataset(Tiny);
        var reports = new List<SyntheticWriteProgress>();
        var progress = new SynchronousProgress(reports);
        SyntheticWriteResult result = SyntheticDatasetWriter.Write(dataset, _dir, progress, maxDegreeOfParallelism: 2);
        Assert.Equal(8, result.ClipCount);

        string[] classes = File.ReadAllLines(Path.Combine(_dir, "classes.txt"));
        Assert.Equal(dataset.ClassNames, classes);

        string[] lines = File.ReadAllLines(result.ManifestPath);
        Assert.Equal("path,labels,split", lines[0]);
        Assert.Equal(9, lines.Length);
        var splits = new Dictionary<string, int>();
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(',');
            Assert.Equal(3, fields.Length);
            Assert.Contains(fields[2], new[] { "train", "val", "test" });
            Assert.StartsWith(fields[2] + "/", fields[0]);
            splits[fields[2]] = splits.GetValueOrDefault(fields[2]) + 1;
            string[] labels = fields[1].Length == 0 ? [] : fields[1].Split(';');
            Assert.All(labels, l => Assert.Contains(l, classes));

            DatasetSplit split = fields[2] switch { "train" => DatasetSplit.Train, "val" => DatasetSplit.Validation, _ => DatasetSplit.Test };
            int index = int.Parse(Path.GetFileNameWithoutExtension(fields[0]).Split('_')[1]);
            var (expected, expectedLabels) = dataset.Get(split, index);
            Assert.Equal(expectedLabels, labels);
            AudioClip back = WavReader.Read(Path.Combine(_dir, fields[0]));
            Assert.Equal(expected.SampleRate, back.SampleRate);
            Assert.Equal(expected.Samples.Length, back.Samples.Length);
            for (int i = 0; i < back.Samples.Length; i++)
                Assert.True(Math.Abs(back.Samples[i] - expected.Samples[i]) <= 0.5f / 32768 + 1e-7f, $"{fields[0]} sample {i}");
        }
        Assert.Equal(4, splits["train"]);
        Assert.Equal(2, splits["val"]);
        Assert.Equal(2, splits["test"]);
        Assert.Equal(new SyntheticWriteProgress(8, 8), reports.MaxBy(r => r.Completed));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void SerialAndParallelWritesGiveIdenticalFiles()
    {
        var dataset = new SyntheticEventsDataset(Tiny with { TrainClips = 3, ValidationClips = 1, TestClips = 1 });
        string serial = Path.Combine(_dir, "serial"), parallel = Path.Combine(_dir, "parallel");
        SyntheticDatasetWriter.Write(dataset, serial, maxDegreeOfParallelism: 1);
        SyntheticDatasetWriter.Write(dataset, parallel, maxDegreeOfParallelism: 2);
        var files = Directory.EnumerateFiles(serial, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(serial, f)).Order().ToArray();
        Assert.Equal(7, files.Length); // 5 WAVs, manifest, classes
        foreach (string f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(serial, f)), File.ReadAllBytes(Path.Combine(parallel, f)));
    }

    [Fact]
    public void WrittenDatasetReadsBackThroughTheSharedManifestReader()
    {
        var dataset = new SyntheticEventsDataset(Tiny);
        SyntheticDatasetWriter.Write(dataset, _dir, maxDegreeOfParallelism: 1);
        var manifest = AecOfa.Audio.Datasets.Manifest.Read(_dir, new AecOfa.Audio.Datasets.ManifestReadOptions(AllowEmptyLabels: true, CheckAudioExists: true));
        Assert.Equal(8, manifest.Entries.Count);
        Assert.Equal(dataset.ClassNames, manifest.Classes.Names);
    }

    /// <summary>Progress that records on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(List<SyntheticWriteProgress> sink) : IProgress<SyntheticWriteProgress>
    {
        public void Report(SyntheticWriteProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
