namespace AecOfa.Audio.Datasets;

/// <summary>A manifest entry's audio could not be read (under <see cref="UnreadableFilePolicy.Stop"/>). The message names
/// the audio file and the manifest line (1-based) that lists it.</summary>
public sealed class ClipLoadException : IOException
{
    public ClipLoadException(int entryIndex, string path, Exception inner, string? manifestPath = null, int line = 0)
        : base(line > 0 && manifestPath is not null
            ? $"Cannot read audio '{path}' ({manifestPath}:{line}): {inner.Message}"
            : $"Cannot read audio '{path}' (manifest entry {entryIndex}): {inner.Message}", inner)
    {
        EntryIndex = entryIndex;
        FilePath = path;
        ManifestPath = manifestPath;
        Line = line;
    }

    /// <summary>0-based index of the entry in the manifest.</summary>
    public int EntryIndex { get; }

    public string FilePath { get; }

    public string? ManifestPath { get; }

    /// <summary>1-based manifest line of the entry, or 0 when unknown.</summary>
    public int Line { get; }
}
