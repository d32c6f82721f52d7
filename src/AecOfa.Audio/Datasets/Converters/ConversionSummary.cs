namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// What <see cref="ManifestConverters.Convert"/> wrote: file paths, counts per split, and the audio a converter
/// tolerated as missing (AudioSet): <paramref name="MissingCount"/> in all, the first ones described in
/// <paramref name="MissingFiles"/>.
/// </summary>
public sealed record ConversionSummary(
    string ManifestPath,
    string ClassesPath,
    int ClassCount,
    int EntryCount,
    IReadOnlyDictionary<string, int> EntriesPerSplit,
    int MissingCount,
    IReadOnlyList<string> MissingFiles);
