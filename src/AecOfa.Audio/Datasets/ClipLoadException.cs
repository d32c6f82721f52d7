namespace AecOfa.Audio.Datasets;

/// <summary>A manifest entry's audio could not be read (under <see cref="UnreadableFilePolicy.Stop"/>).</summary>
public sealed class ClipLoadException(int entryIndex, string path, Exception inner)
    : IOException($"Cannot read audio of manifest entry {entryIndex} '{path}': {inner.Message}", inner)
{
    public int EntryIndex { get; } = entryIndex;

    public string FilePath { get; } = path;
}
