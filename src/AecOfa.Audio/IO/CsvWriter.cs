using System.Text;

namespace AecOfa.Audio.IO;

/// <summary>RFC 4180 field quoting: a field is quoted when it holds a comma, quote, line break or edge spaces.</summary>
public static class CsvWriter
{
    public static string Quote(string field)
    {
        bool needs = field.AsSpan().IndexOfAny(",\"\r\n") >= 0
                     || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '));
        return needs ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    public static void AppendRecord(StringBuilder builder, params string[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                builder.Append(',');
            builder.Append(Quote(fields[i]));
        }
        builder.Append('\n');
    }
}
