namespace AecOfa.Audio.Datasets;

/// <summary>A manifest entry left out because its audio could not be read, and why.</summary>
public sealed record SkippedClip(int EntryIndex, string Path, string Reason);
