using System.Text;

namespace AecOfa.Audio.Synthetic.Dataset;

/// <summary>
/// Writes the project's manifest format: manifest.csv with header "path,labels,split" (path relative to the manifest's
/// folder with '/' separators, labels joined by ';', split train/val/test; RFC 4180 quoting where a field needs it) and
/// classes.txt (one class per line, output index order). Both atomically (temporary file in the same folder, then a
/// rename). Stand-in until the shared manifest writer of the audio-data work is merged; same format.
/// </summary>
public static class SyntheticManifestWriter
{
    public sealed record Row(string RelativePath, IReadOnlyList<string> Labels, string Split);

    public static void WriteManifest(string path, IEnumerable<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder("path,labels,split\n");
        int line = 1;
        foreach (Row row in rows)
        {
            line++;
            if (string.IsNullOrEmpty(row.RelativePath) || Path.IsPathRooted(row.RelativePath))
                throw new ArgumentException($"Manifest row {line}: path '{row.RelativePath}' must be a non-empty relative path.", nameof(rows));
            foreach (string label in row.Labels)
            {
                if (string.IsNullOrEmpty(label) || label.Contains(';'))
                    throw new ArgumentException($"Manifest row {line}: label '{label}' must be non-empty without ';'.", nameof(rows));
            }
            if (row.Split is not ("train" or "val" or "test"))
                throw new ArgumentException($"Manifest row {line}: split '{row.Split}' must be train, val or test.", nameof(rows));
            text.Append(Quote(row.RelativePath.Replace('\\', '/'))).Append(',')
                .Append(Quote(string.Join(';', row.Labels))).Append(',')
                .Append(row.Split).Append('\n');
        }
        WriteAtomic(path, text.ToString());
    }

    public static void WriteClasses(string path, IEnumerable<string> classNames)
    {
        var text = new StringBuilder();
        foreach (string name in classNames)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('\n') || name.Contains('\r'))
                throw new ArgumentException($"Class name '{name}' must be non-empty and on one line.", nameof(classNames));
            text.Append(name).Append('\n');
        }
        WriteAtomic(path, text.ToString());
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    private static void WriteAtomic(string path, string content)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
