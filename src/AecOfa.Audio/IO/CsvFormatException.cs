namespace AecOfa.Audio.IO;

/// <summary>A CSV syntax error, naming the file and 1-based line.</summary>
public sealed class CsvFormatException(string file, int line, string problem)
    : FormatException($"{file}:{line}: {problem}.")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    /// <summary>The problem without the file and line prefix.</summary>
    public string Problem { get; } = problem;
}
