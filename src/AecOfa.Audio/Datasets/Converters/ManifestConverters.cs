namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// The single entry point over all dataset converters (used by <c>aecofa manifest --format F --root R [--out O]</c>
/// and the data-scripts): formats esc50, urbansound8k, fsd50k, audioset, speechcommands, fsdd, folders.
/// </summary>
public static class ManifestConverters
{
    private static readonly IManifestConverter[] All =
    [
        new Esc50Converter(), new UrbanSound8KConverter(), new Fsd50kConverter(), new AudioSetConverter(),
        new SpeechCommandsConverter(), new FsddConverter(), new FolderTreeConverter(),
    ];

    public static IReadOnlyList<string> Formats { get; } = All.Select(c => c.Format).ToArray();

    /// <summary>The converter for <paramref name="format"/> (case-insensitive).</summary>
    public static IManifestConverter Get(string format) =>
        All.FirstOrDefault(c => string.Equals(c.Format, format?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown dataset format '{format}'; expected one of: {string.Join(", ", Formats)}.", nameof(format));

    /// <summary>
    /// Converts the dataset at <paramref name="root"/> and writes manifest.csv + classes.txt (atomically) into
    /// <paramref name="outDir"/> (default: the root), with paths relative to <paramref name="outDir"/>. The result
    /// is validated by the same checks as <see cref="Manifest.Read"/> before anything is written.
    /// </summary>
    public static ConversionSummary Convert(string format, string root, string? outDir = null)
    {
        IManifestConverter converter = Get(format);
        string fullRoot = Path.GetFullPath(root);
        string fullOut = Path.GetFullPath(string.IsNullOrWhiteSpace(outDir) ? root : outDir);
        ConvertedDataset data = converter.Convert(fullRoot);
        var entries = data.Entries.Select(e => e with { Path = Rebase(fullRoot, fullOut, e.Path) });
        // An output folder outside the root is the caller's explicit choice: its paths then lead out of the manifest's
        // folder ("../root/..."), and readers must opt in with AllowPathsOutsideFolder as well.
        var manifest = new Manifest(fullOut, data.Classes, entries,
            new ManifestReadOptions(AllowEmptyLabels: data.AllowEmptyLabels) { AllowPathsOutsideFolder = fullOut != fullRoot });
        manifest.Write();
        var perSplit = manifest.Entries.GroupBy(e => e.Split, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ConversionSummary(
            Path.Combine(fullOut, Manifest.FileName), Path.Combine(fullOut, ClassList.FileName),
            data.Classes.Count, manifest.Count, perSplit, data.MissingCount, data.MissingFiles);
    }

    private static string Rebase(string root, string outDir, string relativeToRoot)
    {
        if (root == outDir)
            return relativeToRoot;
        string full = Path.Combine(root, relativeToRoot.Replace('/', Path.DirectorySeparatorChar));
        return Path.GetRelativePath(outDir, full).Replace(Path.DirectorySeparatorChar, '/');
    }
}
