using AecOfa.Audio.IO;

namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// FSD50K (Zenodo 4060432): <c>FSD50K.ground_truth/vocabulary.csv</c> (no header: index,label,mid),
/// <c>dev.csv</c> (fname,labels,mids,split with split train/val) and <c>eval.csv</c> (fname,labels,mids), labels
/// comma-separated inside one quoted field. Audio in <c>FSD50K.dev_audio/{fname}.wav</c> and
/// <c>FSD50K.eval_audio/{fname}.wav</c>. Multi-label; classes in vocabulary order (200); eval clips get split "test".
/// </summary>
public sealed class Fsd50kConverter : IManifestConverter
{
    public const string GroundTruthFolder = "FSD50K.ground_truth";
    public const string DevAudioFolder = "FSD50K.dev_audio";
    public const string EvalAudioFolder = "FSD50K.eval_audio";

    public string Format => "fsd50k";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string vocabularyPath = ConverterSupport.RequireFile(root, $"{GroundTruthFolder}/vocabulary.csv", "FSD50K vocabulary");
        string devPath = ConverterSupport.RequireFile(root, $"{GroundTruthFolder}/dev.csv", "FSD50K dev ground truth");
        string evalPath = ConverterSupport.RequireFile(root, $"{GroundTruthFolder}/eval.csv", "FSD50K eval ground truth");
        ClassList classes = ReadVocabulary(vocabularyPath);

        var entries = new List<ManifestEntry>();
        var duplicates = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        AddRows(root, devPath, DevAudioFolder, fixedSplit: null, classes, entries, duplicates);
        AddRows(root, evalPath, EvalAudioFolder, fixedSplit: "test", classes, entries, duplicates);
        return new ConvertedDataset(classes, entries, 0, []);
    }

    private static ClassList ReadVocabulary(string path)
    {
        var table = new IndexedClassTable(path);
        try
        {
            foreach (CsvRecord row in CsvReader.ReadFile(path))
            {
                if (row.Fields.Length < 2)
                    throw new ManifestFormatException(path, row.LineNumber, $"{row.Fields.Length} columns, expected index,label,mid");
                int index = ConverterSupport.ParseInt(row.Fields[0], path, row.LineNumber, "index");
                table.Add(index, row.Fields[1].Trim(), row.LineNumber);
            }
        }
        catch (CsvFormatException e)
        {
            throw new ManifestFormatException(e.File, e.Line, e.Problem);
        }
        return table.ToClassList();
    }

    private static void AddRows(string root, string csv, string audioFolder, string? fixedSplit, ClassList classes,
        List<ManifestEntry> entries, Dictionary<string, (string File, int Line)> duplicates)
    {
        string[] columns = fixedSplit is null ? ["fname", "labels", "split"] : ["fname", "labels"];
        var (rows, col) = ConverterSupport.ReadTable(csv, columns);
        foreach (CsvRecord row in rows)
        {
            string fname = row.Fields[col[0]].Trim();
            string path = $"{audioFolder}/{fname}.wav";
            if (!duplicates.TryAdd(path, (csv, row.LineNumber)))
                throw new ManifestFormatException(csv, row.LineNumber,
                    $"duplicate fname '{fname}' (first at {duplicates[path].File}:{duplicates[path].Line})");
            string[] labels = row.Fields[col[1]].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (labels.Length == 0)
                throw new ManifestFormatException(csv, row.LineNumber, $"clip '{fname}' has no labels");
            foreach (string label in labels)
                if (!classes.TryGetIndex(label, out _))
                    throw new ManifestFormatException(csv, row.LineNumber, $"unknown label '{label}' (not in vocabulary.csv)");
            string split = fixedSplit ?? row.Fields[col[2]].Trim();
            ConverterSupport.RequireAudio(root, path, csv, row.LineNumber);
            entries.Add(new ManifestEntry(path, labels.Distinct(StringComparer.Ordinal).ToArray(), split));
        }
    }
}
