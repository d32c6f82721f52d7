namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// A generic folder-per-class tree: <c>root/{class}/*.wav</c> (every clip gets split "train"), or with split folders
/// <c>root/{split}/{class}/*.wav</c> when every top-level folder is one of <see cref="SplitFolderNames"/>. The class
/// is the WAV's parent folder; classes are listed in ordinal order. Hidden folders ('.' prefix) are ignored.
/// </summary>
public sealed class FolderTreeConverter : IManifestConverter
{
    public static IReadOnlyList<string> SplitFolderNames { get; } = ["train", "val", "valid", "validation", "dev", "test", "eval"];

    public string Format => "folders";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string[] top = Visible(root);
        if (top.Length == 0)
            throw new DirectoryNotFoundException($"No class folders in '{root}' (expected root/<class>/*.wav or root/<split>/<class>/*.wav).");
        bool splitFolders = top.All(d => SplitFolderNames.Contains(Path.GetFileName(d), StringComparer.OrdinalIgnoreCase));

        var entries = new List<ManifestEntry>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (splitFolders)
        {
            foreach (string splitDir in top)
                foreach (string classDir in Visible(splitDir))
                    AddClass(root, classDir, Path.GetFileName(splitDir), entries, names);
        }
        else
        {
            foreach (string classDir in top)
                AddClass(root, classDir, "train", entries, names);
        }
        if (entries.Count == 0)
            throw new FileNotFoundException($"No WAV files found in the class folders under '{root}'.");
        return new ConvertedDataset(new ClassList(names, root), entries, 0, []);
    }

    private static void AddClass(string root, string classDir, string split, List<ManifestEntry> entries, SortedSet<string> names)
    {
        string name = Path.GetFileName(classDir);
        var files = Directory.EnumerateFiles(classDir)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            return;
        names.Add(name);
        foreach (string file in files)
            entries.Add(new ManifestEntry(ConverterSupport.Relative(root, file), [name], split));
    }

    private static string[] Visible(string folder) =>
        Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
