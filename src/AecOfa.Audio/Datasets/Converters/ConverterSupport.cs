using AecOfa.Audio.IO;

namespace AecOfa.Audio.Datasets.Converters;

/// <summary>Shared checks of the converters: required files, relative paths, duplicates with line numbers.</summary>
internal static class ConverterSupport
{
    public static string RequireRoot(string root)
    {
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"Dataset root '{full}' does not exist.");
        return full;
    }

    public static string RequireFile(string root, string relative, string what)
    {
        string path = Path.Combine(root, relative);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{what} '{path}' does not exist; is '{root}' the dataset's root folder?", path);
        return path;
    }

    /// <summary>Path of <paramref name="full"/> relative to <paramref name="root"/> with '/' separators.</summary>
    public static string Relative(string root, string full) =>
        Path.GetRelativePath(root, full).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Throws unless <paramref name="relative"/> (under root) exists, naming the metadata line that cites it.</summary>
    public static void RequireAudio(string root, string relative, string metadataFile, int line)
    {
        if (!File.Exists(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar))))
            throw new ManifestFormatException(metadataFile, line, $"audio file '{relative}' does not exist under '{root}'");
    }

    /// <summary>Reads a CSV with a header row, checks the named columns exist, and returns their indices.</summary>
    public static (List<CsvRecord> Rows, int[] Columns) ReadTable(string path, params string[] columns)
    {
        var rows = new List<CsvRecord>();
        int[]? indices = null;
        try
        {
            foreach (CsvRecord record in CsvReader.ReadFile(path))
            {
                if (indices is null)
                {
                    string[] header = record.Fields.Select(f => f.Trim()).ToArray();
                    indices = new int[columns.Length];
                    for (int c = 0; c < columns.Length; c++)
                    {
                        indices[c] = Array.FindIndex(header, h => string.Equals(h, columns[c], StringComparison.OrdinalIgnoreCase));
                        if (indices[c] < 0)
                            throw new ManifestFormatException(path, record.LineNumber,
                                $"header lacks column '{columns[c]}' (found: {string.Join(',', header)})");
                    }
                    continue;
                }
                if (record.Fields.Length < indices.Max() + 1)
                    throw new ManifestFormatException(path, record.LineNumber,
                        $"{record.Fields.Length} columns, expected at least {indices.Max() + 1}");
                rows.Add(record);
            }
        }
        catch (CsvFormatException e)
        {
            throw new ManifestFormatException(e.File, e.Line, e.Problem);
        }
        if (indices is null)
            throw new ManifestFormatException(path, 0, $"file is empty, expected a header with {string.Join(',', columns)}");
        return (rows, indices);
    }

    public static int ParseInt(string text, string file, int line, string column)
    {
        if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value))
            throw new ManifestFormatException(file, line, $"column '{column}' is '{text}', expected an integer");
        return value;
    }
}
