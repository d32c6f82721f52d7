namespace AecOfa.Audio.Datasets;

/// <summary>Invalid dataset metadata (manifest, classes.txt or a dataset's own index), naming file and line.</summary>
public sealed class ManifestFormatException : FormatException
{
    public ManifestFormatException(string file, int line, string problem)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
    }

    public string File { get; }

    /// <summary>1-based line number, or 0 when the problem concerns the whole file.</summary>
    public int Line { get; }
}
