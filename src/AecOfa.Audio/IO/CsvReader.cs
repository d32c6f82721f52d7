using System.Text;

namespace AecOfa.Audio.IO;

/// <summary>
/// RFC 4180 CSV reader: fields separated by commas, optionally enclosed in double quotes, with "" as an escaped
/// quote inside a quoted field; quoted fields may contain commas and line breaks. CRLF, LF and a UTF-8 BOM are
/// accepted. Blank lines are skipped. <see cref="CsvReaderOptions"/> adds the two deviations public dataset files
/// need: '#' comment lines and a space after the comma before a quoted field (AudioSet's segment lists).
/// </summary>
public static class CsvReader
{
    public static IEnumerable<CsvRecord> ReadFile(string path, CsvReaderOptions? options = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (CsvRecord record in Read(reader, path, options))
            yield return record;
    }

    /// <summary>Parses records from <paramref name="reader"/>; <paramref name="sourceName"/> names the file in errors.</summary>
    public static IEnumerable<CsvRecord> Read(TextReader reader, string sourceName, CsvReaderOptions? options = null)
    {
        options ??= CsvReaderOptions.Strict;
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
                line = line[1..];
            if (line.Trim().Length == 0)
                continue;
            if (options.CommentPrefix is { } prefix && line.TrimStart().StartsWith(prefix, StringComparison.Ordinal))
                continue;
            int startLine = lineNumber;
            var fields = new List<string>();
            var field = new StringBuilder();
            int i = 0;
            while (true)
            {
                if (options.TrimSpaceBeforeQuote)
                {
                    int j = i;
                    while (j < line.Length && line[j] == ' ')
                        j++;
                    if (j < line.Length && line[j] == '"')
                        i = j;
                }
                if (i < line.Length && line[i] == '"')
                {
                    // Quoted field: runs to the closing quote, possibly over several physical lines.
                    i++;
                    while (true)
                    {
                        if (i >= line.Length)
                        {
                            string? next = reader.ReadLine();
                            if (next is null)
                                throw new CsvFormatException(sourceName, startLine, "a quoted field is not closed before the end of the file");
                            lineNumber++;
                            field.Append('\n');
                            line = next;
                            i = 0;
                            continue;
                        }
                        char c = line[i];
                        if (c == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"')
                            {
                                field.Append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        field.Append(c);
                        i++;
                    }
                    if (options.TrimSpaceBeforeQuote)
                        while (i < line.Length && line[i] == ' ')
                            i++;
                    if (i < line.Length && line[i] != ',')
                        throw new CsvFormatException(sourceName, lineNumber, $"unexpected character '{line[i]}' after a closing quote (column {i + 1})");
                }
                else
                {
                    int comma = line.IndexOf(',', i);
                    int end = comma < 0 ? line.Length : comma;
                    string raw = line[i..end];
                    if (raw.Contains('"'))
                        throw new CsvFormatException(sourceName, lineNumber, $"a double quote inside an unquoted field ('{raw}'); quote the field and double the quote");
                    field.Append(raw);
                    i = end;
                }
                fields.Add(field.ToString());
                field.Clear();
                if (i >= line.Length)
                    break;
                i++; // skip the comma; a trailing comma yields a final empty field
                if (i == line.Length)
                {
                    fields.Add(string.Empty);
                    break;
                }
            }
            yield return new CsvRecord(fields.ToArray(), startLine);
        }
    }
}
