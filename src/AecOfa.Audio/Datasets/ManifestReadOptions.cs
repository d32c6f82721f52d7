namespace AecOfa.Audio.Datasets;

/// <summary>Checks applied while reading a manifest.</summary>
/// <param name="AllowEmptyLabels">Accept clips with no label (e.g. unlabeled test sets or all-negative clips).</param>
/// <param name="CheckAudioExists">Fail on the first entry whose audio file is missing (costs one stat per clip).</param>
public sealed record ManifestReadOptions(bool AllowEmptyLabels = false, bool CheckAudioExists = false)
{
    public static ManifestReadOptions Default { get; } = new();

    /// <summary>
    /// Accept entry paths that resolve outside the manifest's folder (absolute paths, "../"). Off by default: a
    /// dataset is a folder, and a path escaping it is almost always a mistake or a hostile manifest.
    /// </summary>
    public bool AllowPathsOutsideFolder { get; init; }

    /// <summary>Split names accepted besides the known ones (<see cref="Manifest.KnownSplits"/> and fold numbers), exact case.</summary>
    public IReadOnlyCollection<string> ExtraSplits { get; init; } = [];

    /// <summary>Splits that must have at least one entry (e.g. "train" for training); an empty one is an error
    /// naming the manifest and the splits present.</summary>
    public IReadOnlyCollection<string> RequiredSplits { get; init; } = [];
}
