using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dataset;
using AecOfa.Audio.Wav;

namespace AecOfa.Pipelines.Tests;

/// <summary>Tiny datasets written to disk in milliseconds: tones per class (single- and multi-label) and a few clips
/// of the built-in synthetic events.</summary>
internal static class TinyDatasets
{
    public const int SampleRate = 16000;
    private static readonly double[] ClassFrequencies = [300, 700, 1500, 3000];

    /// <summary>A clip: a sum of the classes' tones with random phase and a little noise, scaled by <paramref name="gain"/>.</summary>
    private static float[] Tones(IEnumerable<int> classes, double seconds, Random rng, double gain)
    {
        var samples = new float[(int)Math.Round(seconds * SampleRate)];
        foreach (int c in classes)
        {
            double phase = rng.NextDouble() * 2 * Math.PI, f = ClassFrequencies[c] * (0.95 + 0.1 * rng.NextDouble());
            for (int i = 0; i < samples.Length; i++) samples[i] += (float)(0.3 * Math.Sin(phase + 2 * Math.PI * f * i / SampleRate));
        }
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(gain * (samples[i] + 0.02 * (rng.NextDouble() - 0.5)));
        return samples;
    }

    private static void Wav(string path, float[] samples)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.Write(path, samples, 1, SampleRate, WavSampleFormat.Pcm16);
    }

    /// <summary>root/{class}/{i}.wav (folder-per-class, every clip in "train") and its manifest (classes in order).</summary>
    public static string SingleLabelTree(string root, int classes = 3, int perClass = 8, double seconds = 0.3, int seed = 1)
    {
        var rng = new Random(seed);
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
                Wav(Path.Combine(root, $"class{c}", $"{i:D2}.wav"), Tones([c], seconds, rng, 1.0));
        ManifestConverters.Convert("folders", root);
        return root;
    }

    /// <summary>A multi-label manifest (one or two tones per clip, a few with no label) with train / val / test splits;
    /// the val and test clips are much louder, so statistics fitted on them would differ visibly.</summary>
    public static string MultiLabel(string root, int train = 12, int val = 4, int test = 4, double seconds = 0.3, int seed = 2)
    {
        var rng = new Random(seed);
        var names = Enumerable.Range(0, 4).Select(c => $"tone{c}").ToArray();
        var entries = new List<ManifestEntry>();
        int n = 0;
        foreach (var (split, count) in new[] { ("train", train), ("val", val), ("test", test) })
            for (int i = 0; i < count; i++, n++)
            {
                int[] labels = (n % 5) switch { 0 => [n % 4, (n + 1) % 4], 4 => [], _ => [n % 4] };
                string path = $"clips/{split}-{i:D2}.wav";
                Wav(Path.Combine(root, path), Tones(labels, seconds, rng, split == "train" ? 1.0 : 3.0));
                entries.Add(new ManifestEntry(path, labels.Select(l => names[l]).ToArray(), split));
            }
        Manifest.Write(root, new ClassList(names), entries);
        return root;
    }

    /// <summary>The built-in synthetic events (11 classes, multi-label) with a few short clips.</summary>
    public static string Synthetic(string root, int train = 24, int val = 8, int test = 8, double seconds = 0.5)
    {
        var options = new SyntheticEventsOptions { TrainClips = train, ValidationClips = val, TestClips = test, ClipSeconds = seconds, SampleRate = SampleRate };
        SyntheticDatasetWriter.Write(new SyntheticEventsDataset(options), root, maxDegreeOfParallelism: 1);
        return root;
    }
}
