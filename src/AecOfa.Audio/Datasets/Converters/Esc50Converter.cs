namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// ESC-50 (github.com/karolpiczak/ESC-50): <c>meta/esc50.csv</c> with columns filename,fold,target,category,...
/// and audio in <c>audio/</c>. Classes ordered by target (0..49); split = fold ("1".."5", the dataset's
/// cross-validation folds).
/// </summary>
public sealed class Esc50Converter : IManifestConverter
{
    public const string MetadataPath = "meta/esc50.csv";

    public string Format => "esc50";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string meta = ConverterSupport.RequireFile(root, MetadataPath, "ESC-50 metadata");
        var (rows, col) = ConverterSupport.ReadTable(meta, "filename", "fold", "target", "category");
        var classes = new IndexedClassTable(meta);
        var duplicates = new DuplicateGuard(meta, "filename");
        var entries = new List<ManifestEntry>(rows.Count);
        foreach (var row in rows)
        {
            string file = row.Fields[col[0]].Trim();
            int fold = ConverterSupport.ParseInt(row.Fields[col[1]], meta, row.LineNumber, "fold");
            int target = ConverterSupport.ParseInt(row.Fields[col[2]], meta, row.LineNumber, "target");
            string category = row.Fields[col[3]].Trim();
            duplicates.Add(file, row.LineNumber);
            classes.Add(target, category, row.LineNumber);
            string path = "audio/" + file;
            ConverterSupport.RequireAudio(root, path, meta, row.LineNumber);
            entries.Add(new ManifestEntry(path, [category], fold.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return new ConvertedDataset(classes.ToClassList(), entries, 0, []);
    }
}
