namespace AecOfa.Audio.IO;

/// <summary>One CSV record and the 1-based line on which it starts (quoted fields may span lines).</summary>
public sealed record CsvRecord(string[] Fields, int LineNumber);
