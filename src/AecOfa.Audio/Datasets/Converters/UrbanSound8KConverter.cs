namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// UrbanSound8K: <c>metadata/UrbanSound8K.csv</c> (slice_file_name,fsID,start,end,salience,fold,classID,class)
/// and audio in <c>audio/fold{N}/</c>. Classes ordered by classID (0..9); split = fold ("1".."10").
/// </summary>
public sealed class UrbanSound8KConverter : IManifestConverter
{
    public const string MetadataPath = "metadata/UrbanSound8K.csv";

    public string Format => "urbansound8k";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string meta = ConverterSupport.RequireFile(root, MetadataPath, "UrbanSound8K metadata");
        var (rows, col) = ConverterSupport.ReadTable(meta, "slice_file_name", "fold", "classID", "class");
        var classes = new IndexedClassTable(meta);
        var duplicates = new DuplicateGuard(meta, "slice_file_name");
        var entries = new List<ManifestEntry>(rows.Count);
        foreach (var row in rows)
        {
            string file = row.Fields[col[0]].Trim();
            int fold = ConverterSupport.ParseInt(row.Fields[col[1]], meta, row.LineNumber, "fold");
            int classId = ConverterSupport.ParseInt(row.Fields[col[2]], meta, row.LineNumber, "classID");
            string name = row.Fields[col[3]].Trim();
            duplicates.Add(file, row.LineNumber);
            classes.Add(classId, name, row.LineNumber);
            string foldText = fold.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string path = $"audio/fold{foldText}/{file}";
            ConverterSupport.RequireAudio(root, path, meta, row.LineNumber);
            entries.Add(new ManifestEntry(path, [name], foldText));
        }
        return new ConvertedDataset(classes.ToClassList(), entries, 0, []);
    }
}
