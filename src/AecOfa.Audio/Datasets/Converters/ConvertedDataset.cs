namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// A converter's result: classes in output order and entries whose paths are relative to the dataset root.
/// <paramref name="MissingCount"/> counts audio a converter tolerates as absent (AudioSet only: its audio is fetched
/// by the user, so absent clips are left out and reported; other datasets treat absence as an error), and
/// <paramref name="MissingFiles"/> describes the first <see cref="MaxMissingListed"/> of them ("file:line: what").
/// </summary>
public sealed record ConvertedDataset(
    ClassList Classes,
    IReadOnlyList<ManifestEntry> Entries,
    int MissingCount,
    IReadOnlyList<string> MissingFiles,
    bool AllowEmptyLabels = false)
{
    /// <summary>Cap on listed missing files (a partial AudioSet copy can miss millions of segments).</summary>
    public const int MaxMissingListed = 1000;
}
