namespace AecOfa.Audio.IO;

/// <summary>Tolerances of <see cref="CsvReader"/> beyond RFC 4180.</summary>
public sealed record CsvReaderOptions(string? CommentPrefix = null, bool TrimSpaceBeforeQuote = false)
{
    public static CsvReaderOptions Strict { get; } = new();
}
