namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// A converter's result: classes in output order and entries whose paths are relative to the dataset root.
/// <paramref name="MissingFiles"/> lists audio a converter tolerates as absent (AudioSet only: its audio is
/// fetched by the user, so absent clips are left out and reported; other datasets treat absence as an error).
/// </summary>
public sealed record ConvertedDataset(
    ClassList Classes,
    IReadOnlyList<ManifestEntry> Entries,
    IReadOnlyList<string> MissingFiles,
    bool AllowEmptyLabels = false);
