namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// A generic folder-per-class tree: <c>root/{class}/*.wav</c> (every clip gets split "train"), or with split folders
/// <c>root/{split}/{class}/*.wav</c> when every top-level folder is one of <see cref="SplitFolderNames"/> (any case;
/// valid/validation/dev become split "val", eval becomes "test"). A tree mixing split folders with class folders
/// (<c>train/dog/</c> beside <c>cat/</c>) is rejected: neither reading is right. The class is the WAV's parent
/// folder; classes are listed in ordinal order. Hidden folders ('.' prefix) are ignored.
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
        var splitNamed = top.Where(d => SplitFolderNames.Contains(Path.GetFileName(d), StringComparer.OrdinalIgnoreCase)).ToArray();
        bool splitFolders = splitNamed.Length == top.Length;
        if (splitNamed.Length > 0 && !splitFolders)
        {
            var others = top.Except(splitNamed).Select(Path.GetFileName).Take(5);
            throw new InvalidDataException(
                $"'{root}' mixes split folders ({string.Join(", ", splitNamed.Select(Path.GetFileName))}) with class folders ({string.Join(", ", others)}): " +
                "lay the audio out either as root/<class>/*.wav (all clips become split train) or as root/<split>/<class>/*.wav with only split folders at the top " +
                $"({string.Join(", ", SplitFolderNames)}); a class folder named like a split must be renamed.");
        }

        var entries = new List<ManifestEntry>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (splitFolders)
        {
            foreach (string splitDir in top)
                foreach (string classDir in Visible(splitDir))
                    AddClass(root, classDir, CanonicalSplit(Path.GetFileName(splitDir)), entries, names);
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

    /// <summary>The manifest split of a split folder: train, val or test.</summary>
    public static string CanonicalSplit(string folderName) => folderName.ToLowerInvariant() switch
    {
        "train" => "train",
        "val" or "valid" or "validation" or "dev" => "val",
        "test" or "eval" => "test",
        _ => throw new ArgumentException($"'{folderName}' is not a split folder name ({string.Join(", ", SplitFolderNames)}).", nameof(folderName)),
    };

    private static string[] Visible(string folder) =>
        Directory.GetDirectories(folder)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
