namespace AecOfa.Audio.Datasets;

/// <summary>
/// One clip of a manifest: <paramref name="Path"/> relative to the manifest's folder with '/' separators,
/// its class names (multi-label allowed, possibly none) and a free split name ("train", "val", "test", "1", ...).
/// </summary>
public sealed record ManifestEntry(string Path, string[] Labels, string Split);
