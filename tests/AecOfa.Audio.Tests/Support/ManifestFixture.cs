using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Tests.Support;

/// <summary>Builds a small manifest of placeholder clips (see <see cref="FakeDecoder"/>) in a temp folder.</summary>
public static class ManifestFixture
{
    /// <summary>Clip i has <paramref name="lengths"/>[i] samples, class i % 3, split train/val alternating.</summary>
    public static Manifest Create(TempFolder dir, params int[] lengths)
    {
        var classes = new ClassList(["a", "b", "c"]);
        var entries = new List<ManifestEntry>();
        for (int i = 0; i < lengths.Length; i++)
        {
            string path = $"clips/clip{i:D2}.wav";
            dir.Write(path, FakeDecoder.Placeholder(lengths[i]));
            string[] labels = i % 4 == 3 ? ["a", "c"] : [classes[i % 3]];
            entries.Add(new ManifestEntry(path, labels, i % 2 == 0 ? "train" : "val"));
        }
        Manifest.Write(dir.Path, classes, entries);
        return Manifest.Read(dir.Path);
    }
}
