namespace AecOfa.Audio.Datasets.Converters;

/// <summary>What <see cref="ManifestConverters.Convert"/> wrote: file paths, counts per split, tolerated missing audio.</summary>
public sealed record ConversionSummary(
    string ManifestPath,
    string ClassesPath,
    int ClassCount,
    int EntryCount,
    IReadOnlyDictionary<string, int> EntriesPerSplit,
    IReadOnlyList<string> MissingFiles);
