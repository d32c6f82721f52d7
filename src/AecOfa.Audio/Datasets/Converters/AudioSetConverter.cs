using System.Globalization;
using AecOfa.Audio.IO;

namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// AudioSet (research.google.com/audioset). Expected under the root:
/// <list type="bullet">
/// <item><c>class_labels_indices.csv</c> (index,mid,display_name); classes.txt gets the display names in index order.</item>
/// <item>One or more <c>*_segments.csv</c> files (e.g. balanced_train_segments.csv, eval_segments.csv) with lines
/// <c>YTID, start_seconds, end_seconds, "mid1,mid2"</c> and '#' comment lines; the split is the file name without
/// "_segments.csv" (balanced_train, unbalanced_train, eval).</item>
/// <item>Audio that the user downloaded, anywhere under <c>audio/</c>, as WAV named by the segment:
/// <c>{YTID}.wav</c>, <c>Y{YTID}.wav</c>, <c>{YTID}_{start}.wav</c> or <c>{YTID}_{start}_{end}.wav</c>, where start/end
/// are written as in the CSV ("30.000") or as whole seconds ("30"). File names must be unique under audio/.</item>
/// </list>
/// Segments without audio are left out, counted and listed (<see cref="ConvertedDataset.MissingCount"/>) (YouTube videos
/// disappear; a partial copy is normal). Unknown label ids and duplicate segments are errors with line numbers.
/// </summary>
public sealed class AudioSetConverter : IManifestConverter
{
    public const string ClassIndexFile = "class_labels_indices.csv";
    public const string SegmentsSuffix = "_segments.csv";
    public const string AudioFolder = "audio";

    public string Format => "audioset";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string indexPath = ConverterSupport.RequireFile(root, ClassIndexFile, "AudioSet class index");
        var (classRows, col) = ConverterSupport.ReadTable(indexPath, "index", "mid", "display_name");
        var table = new IndexedClassTable(indexPath);
        var nameOfMid = new Dictionary<string, string>(StringComparer.Ordinal);
        var midGuard = new DuplicateGuard(indexPath, "mid");
        foreach (CsvRecord row in classRows)
        {
            int index = ConverterSupport.ParseInt(row.Fields[col[0]], indexPath, row.LineNumber, "index");
            string mid = row.Fields[col[1]].Trim();
            string name = row.Fields[col[2]].Trim();
            midGuard.Add(mid, row.LineNumber);
            table.Add(index, name, row.LineNumber);
            nameOfMid[mid] = name;
        }
        ClassList classes = table.ToClassList();

        string[] segmentFiles = Directory.GetFiles(root, "*" + SegmentsSuffix).Order(StringComparer.Ordinal).ToArray();
        if (segmentFiles.Length == 0)
            throw new FileNotFoundException($"No '*{SegmentsSuffix}' files in '{root}' (e.g. balanced_train_segments.csv, eval_segments.csv).");
        Dictionary<string, string> audio = IndexAudio(root);

        var entries = new List<ManifestEntry>();
        var missing = new List<string>();
        int missingCount = 0;
        var usedFiles = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        var options = new CsvReaderOptions(CommentPrefix: "#", TrimSpaceBeforeQuote: true);
        foreach (string segments in segmentFiles)
        {
            string fileName = Path.GetFileName(segments);
            string split = fileName[..^SegmentsSuffix.Length];
            var segmentGuard = new DuplicateGuard(segments, "segment");
            IEnumerable<CsvRecord> rows = CsvReader.ReadFile(segments, options);
            foreach (CsvRecord row in WithLineErrors(rows))
            {
                if (row.Fields.Length != 4)
                    throw new ManifestFormatException(segments, row.LineNumber,
                        $"{row.Fields.Length} columns, expected 4 (YTID, start_seconds, end_seconds, \"positive_labels\")");
                string ytid = row.Fields[0].Trim();
                string start = row.Fields[1].Trim();
                string end = row.Fields[2].Trim();
                if (ytid.Length == 0)
                    throw new ManifestFormatException(segments, row.LineNumber, "empty YTID");
                segmentGuard.Add($"{ytid} {start}", row.LineNumber);
                string[] mids = row.Fields[3].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (mids.Length == 0)
                    throw new ManifestFormatException(segments, row.LineNumber, $"segment '{ytid}' has no positive labels");
                var labels = new List<string>(mids.Length);
                foreach (string mid in mids)
                {
                    if (!nameOfMid.TryGetValue(mid, out string? name))
                        throw new ManifestFormatException(segments, row.LineNumber, $"unknown label id '{mid}' (not in {ClassIndexFile})");
                    if (!labels.Contains(name))
                        labels.Add(name);
                }
                string? path = FindAudio(audio, ytid, start, end);
                if (path is null)
                {
                    if (++missingCount <= ConvertedDataset.MaxMissingListed)
                        missing.Add($"{fileName}:{row.LineNumber}: {ytid} at {start} s");
                    continue;
                }
                if (!usedFiles.TryAdd(path, (segments, row.LineNumber)))
                    throw new ManifestFormatException(segments, row.LineNumber,
                        $"segment '{ytid}' resolves to '{path}', already used by {usedFiles[path].File}:{usedFiles[path].Line}; name files {{YTID}}_{{start}}.wav to tell segments apart");
                entries.Add(new ManifestEntry(path, labels.ToArray(), split));
            }
        }
        return new ConvertedDataset(classes, entries, missingCount, missing);
    }

    /// <summary>Candidate file stems for a segment, most specific first.</summary>
    public static IEnumerable<string> CandidateStems(string ytid, string start, string end)
    {
        string[] starts = Distinct(start, WholeSeconds(start));
        string[] ends = Distinct(end, WholeSeconds(end));
        foreach (string s in starts)
            foreach (string e in ends)
                yield return $"{ytid}_{s}_{e}";
        foreach (string s in starts)
            yield return $"{ytid}_{s}";
        yield return ytid;
        yield return "Y" + ytid;
    }

    private static string? FindAudio(Dictionary<string, string> audio, string ytid, string start, string end)
    {
        foreach (string stem in CandidateStems(ytid, start, end))
            if (audio.TryGetValue(stem, out string? path))
                return path;
        return null;
    }

    private static Dictionary<string, string> IndexAudio(string root)
    {
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        string folder = Path.Combine(root, AudioFolder);
        if (!Directory.Exists(folder))
            return byStem;
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            string relative = ConverterSupport.Relative(root, file);
            if (!byStem.TryAdd(stem, relative))
                throw new ManifestFormatException(file, 0, $"audio name '{stem}' is not unique: also '{byStem[stem]}'");
        }
        return byStem;
    }

    private static IEnumerable<CsvRecord> WithLineErrors(IEnumerable<CsvRecord> rows)
    {
        using IEnumerator<CsvRecord> e = rows.GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext())
                    yield break;
            }
            catch (CsvFormatException ex)
            {
                throw new ManifestFormatException(ex.File, ex.Line, ex.Problem);
            }
            yield return e.Current;
        }
    }

    private static string WholeSeconds(string seconds) =>
        double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value == Math.Floor(value)
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : seconds;

    private static string[] Distinct(string a, string b) => a == b ? [a] : [a, b];
}
