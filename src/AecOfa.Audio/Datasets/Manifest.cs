using System.Security.Cryptography;
using System.Text;
using AecOfa.Audio.IO;

namespace AecOfa.Audio.Datasets;

/// <summary>
/// A dataset index: <c>manifest.csv</c> (header <c>path,labels,split</c>, RFC 4180 quoting, paths relative to the
/// manifest's folder with '/' separators, labels joined by ';') and <c>classes.txt</c> beside it. Every dataset
/// converter produces this one format; everything downstream (loader, feature cache, trainer) reads only it.
/// </summary>
public sealed class Manifest
{
    public const string FileName = "manifest.csv";
    public const char LabelSeparator = ';';
    public const string Header = "path,labels,split";

    /// <summary>Split names accepted in a manifest (exact case) besides fold numbers ("1", "2", ...): the standard
    /// three and AudioSet's own segment-file names.</summary>
    public static IReadOnlyList<string> KnownSplits { get; } = ["train", "val", "test", "balanced_train", "unbalanced_train", "eval"];

    private readonly ManifestEntry[] _entries;
    private readonly int[][] _labelIndices;
    private readonly int[] _lines;

    /// <summary>Validates <paramref name="entries"/> against <paramref name="classes"/> (unknown labels, duplicates).</summary>
    public Manifest(string folder, ClassList classes, IEnumerable<ManifestEntry> entries, ManifestReadOptions? options = null)
        : this(folder, classes, entries.ToArray(), null, options ?? ManifestReadOptions.Default)
    {
    }

    private Manifest(string folder, ClassList classes, ManifestEntry[] entries, int[]? lineNumbers, ManifestReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(classes);
        Folder = Path.GetFullPath(folder);
        Classes = classes;
        _entries = entries;
        _labelIndices = new int[entries.Length][];
        _lines = new int[entries.Length];
        string source = Path.Combine(Folder, FileName);
        SourcePath = source;
        string folderPrefix = Folder.EndsWith(Path.DirectorySeparatorChar) ? Folder : Folder + Path.DirectorySeparatorChar;
        var firstLine = new Dictionary<string, (int Line, string Path)>(entries.Length, StringComparer.Ordinal);
        for (int i = 0; i < entries.Length; i++)
        {
            ManifestEntry e = entries[i];
            // Lines come from the file when read; for in-memory manifests the "line" is the would-be file line.
            int line = lineNumbers?[i] ?? i + 2;
            _lines[i] = line;
            if (string.IsNullOrWhiteSpace(e.Path))
                throw new ManifestFormatException(source, line, "empty path");
            string full = FullPath(e);
            bool inside = full.StartsWith(folderPrefix, StringComparison.Ordinal);
            if (!inside && !options.AllowPathsOutsideFolder)
                throw new ManifestFormatException(source, line,
                    $"path '{e.Path}' resolves to '{full}', outside the dataset folder '{Folder}' (paths are relative to the manifest's folder; allow paths outside the folder explicitly to accept this)");
            // Duplicates after normalization: "./train/x.wav", "train//x.wav" and "train/y/../x.wav" are "train/x.wav".
            string key = inside ? full[folderPrefix.Length..].Replace(Path.DirectorySeparatorChar, '/') : full;
            if (!firstLine.TryAdd(key, (line, e.Path)))
            {
                var (firstAt, firstPath) = firstLine[key];
                string same = firstPath == e.Path ? "" : $" as '{firstPath}', the same file";
                throw new ManifestFormatException(source, line, $"duplicate entry '{e.Path}' (first on line {firstAt}{same})");
            }
            if (!IsKnownSplit(e.Split) && !options.ExtraSplits.Contains(e.Split))
                throw new ManifestFormatException(source, line, $"unknown split '{e.Split}': use {DescribeSplits(options)}");
            if (e.Labels.Length == 0 && !options.AllowEmptyLabels)
                throw new ManifestFormatException(source, line, $"'{e.Path}' has no labels (allow empty labels to accept this)");
            var indices = new int[e.Labels.Length];
            for (int k = 0; k < indices.Length; k++)
            {
                if (!classes.TryGetIndex(e.Labels[k], out indices[k]))
                    throw new ManifestFormatException(source, line, $"unknown label '{e.Labels[k]}' (not in {ClassList.FileName})");
                if (Array.IndexOf(indices, indices[k], 0, k) >= 0)
                    throw new ManifestFormatException(source, line, $"label '{e.Labels[k]}' listed twice");
            }
            _labelIndices[i] = indices;
            if (options.CheckAudioExists && !File.Exists(full))
                throw new ManifestFormatException(source, line, $"audio file '{full}' does not exist");
        }
        foreach (string required in options.RequiredSplits)
        {
            if (entries.Any(e => e.Split == required))
                continue;
            var present = entries.GroupBy(e => e.Split).Select(g => $"{g.Key} ({g.Count()})").ToArray();
            throw new ManifestFormatException(source, 0,
                $"no entries in split '{required}', which is required here (splits present: {(present.Length == 0 ? "none, the manifest has no entries" : string.Join(", ", present))})");
        }
    }

    /// <summary>True for <see cref="KnownSplits"/> (exact case) and fold numbers ("0".."9999" without sign or leading zeros).</summary>
    public static bool IsKnownSplit(string split) =>
        KnownSplits.Contains(split, StringComparer.Ordinal) || IsFoldNumber(split);

    private static bool IsFoldNumber(string s) =>
        s.Length is > 0 and <= 4 && s.All(char.IsAsciiDigit) && (s.Length == 1 || s[0] != '0');

    private static string DescribeSplits(ManifestReadOptions options)
    {
        string extra = options.ExtraSplits.Count == 0 ? "" : $", {string.Join(", ", options.ExtraSplits)}";
        return $"train, val, test{extra} or a fold number (1, 2, ...), exact case (AudioSet's balanced_train, unbalanced_train and eval are also accepted)";
    }

    /// <summary>The manifest.csv this manifest was read from (or would be written to).</summary>
    public string SourcePath { get; }

    /// <summary>1-based line of entry <paramref name="entry"/> in <see cref="SourcePath"/> (for in-memory manifests, the
    /// line it would have when written).</summary>
    public int LineNumber(int entry) => _lines[entry];

    /// <summary>Absolute folder that entry paths are relative to.</summary>
    public string Folder { get; }

    public ClassList Classes { get; }

    public IReadOnlyList<ManifestEntry> Entries => _entries;

    public int Count => _entries.Length;

    /// <summary>Class indices of entry <paramref name="entry"/>'s labels, in the manifest's order.</summary>
    public ReadOnlySpan<int> LabelIndices(int entry) => _labelIndices[entry];

    /// <summary>Multi-hot target of entry <paramref name="entry"/> (length = class count).</summary>
    public float[] Target(int entry)
    {
        var target = new float[Classes.Count];
        ClassList.FillMultiHot(_labelIndices[entry], target);
        return target;
    }

    public string FullPath(ManifestEntry entry) =>
        Path.GetFullPath(Path.Combine(Folder, entry.Path.Replace('/', Path.DirectorySeparatorChar)));

    public string FullPath(int entry) => FullPath(_entries[entry]);

    /// <summary>Indices of entries whose split equals <paramref name="split"/> (ordinal), in manifest order.</summary>
    public int[] IndicesOfSplit(string split)
    {
        var result = new List<int>();
        for (int i = 0; i < _entries.Length; i++)
            if (string.Equals(_entries[i].Split, split, StringComparison.Ordinal))
                result.Add(i);
        return result.ToArray();
    }

    /// <summary>
    /// SHA-256 of the canonical content (classes in order, then each entry's path, labels and split). Independent
    /// of quoting, line endings and BOM, so caches keyed by it survive a rewrite of the same data.
    /// </summary>
    public byte[] ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(s));
            hash.AppendData([0]);
        }
        Add("classes");
        Add(Classes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string name in Classes.Names)
            Add(name);
        Add("entries");
        Add(_entries.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (ManifestEntry e in _entries)
        {
            Add(e.Path);
            Add(string.Join(LabelSeparator, e.Labels));
            Add(e.Split);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Reads <paramref name="path"/> (a manifest.csv, or a folder holding one) and the classes.txt beside it.
    /// Errors name the file and line: wrong header or column count, unknown or repeated label, duplicate path,
    /// empty labels (unless allowed), missing audio (when checked).
    /// </summary>
    public static Manifest Read(string path, ManifestReadOptions? options = null)
    {
        options ??= ManifestReadOptions.Default;
        string manifestPath = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        manifestPath = Path.GetFullPath(manifestPath);
        string folder = Path.GetDirectoryName(manifestPath)!;
        string classesPath = Path.Combine(folder, ClassList.FileName);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"Manifest '{manifestPath}' does not exist.", manifestPath);
        if (!File.Exists(classesPath))
            throw new FileNotFoundException($"Class list '{classesPath}' (required beside the manifest) does not exist.", classesPath);
        ClassList classes = ClassList.Read(classesPath);

        var entries = new List<ManifestEntry>();
        var lines = new List<int>();
        bool headerSeen = false;
        try
        {
            foreach (CsvRecord record in CsvReader.ReadFile(manifestPath))
            {
                if (!headerSeen)
                {
                    string header = string.Join(',', record.Fields.Select(f => f.Trim()));
                    if (!string.Equals(header, Header, StringComparison.OrdinalIgnoreCase))
                        throw new ManifestFormatException(manifestPath, record.LineNumber, $"header is '{header}', expected '{Header}'");
                    headerSeen = true;
                    continue;
                }
                if (record.Fields.Length != 3)
                    throw new ManifestFormatException(manifestPath, record.LineNumber,
                        $"{record.Fields.Length} columns, expected 3 ({Header}); quote paths that contain commas");
                entries.Add(new ManifestEntry(record.Fields[0], ParseLabels(record.Fields[1], manifestPath, record.LineNumber), record.Fields[2].Trim()));
                lines.Add(record.LineNumber);
            }
        }
        catch (CsvFormatException e)
        {
            throw new ManifestFormatException(e.File, e.Line, e.Problem);
        }
        if (!headerSeen)
            throw new ManifestFormatException(manifestPath, 0, $"file is empty, expected the header '{Header}'");
        if (entries.Count == 0)
            throw new ManifestFormatException(manifestPath, 0, "has a header but no entries (one line per clip: path,labels,split)");
        return new Manifest(folder, classes, entries.ToArray(), lines.ToArray(), options);
    }

    /// <summary>Writes manifest.csv and classes.txt into <see cref="Folder"/>, each atomically.</summary>
    public void Write() => Write(Folder, Classes, _entries);

    /// <summary>Writes <paramref name="folder"/>/manifest.csv and classes.txt atomically (no validation beyond quoting).</summary>
    public static void Write(string folder, ClassList classes, IEnumerable<ManifestEntry> entries)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        foreach (ManifestEntry e in entries)
        {
            foreach (string label in e.Labels)
                if (label.Contains(LabelSeparator))
                    throw new ArgumentException($"Label '{label}' of '{e.Path}' contains the label separator '{LabelSeparator}'.", nameof(entries));
            CsvWriter.AppendRecord(text, Path.DirectorySeparatorChar == '\\' ? e.Path.Replace('\\', '/') : e.Path, string.Join(LabelSeparator, e.Labels), e.Split);
        }
        Directory.CreateDirectory(folder);
        classes.Write(Path.Combine(folder, ClassList.FileName));
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), text.ToString());
    }

    private static string[] ParseLabels(string field, string file, int line)
    {
        if (field.Trim().Length == 0)
            return [];
        string[] labels = field.Split(LabelSeparator);
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = labels[i].Trim();
            if (labels[i].Length == 0)
                throw new ManifestFormatException(file, line, $"empty label in '{field}' (labels are separated by '{LabelSeparator}')");
        }
        return labels;
    }
}
