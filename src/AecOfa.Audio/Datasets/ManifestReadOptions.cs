namespace AecOfa.Audio.Datasets;

/// <summary>Checks applied while reading a manifest.</summary>
/// <param name="AllowEmptyLabels">Accept clips with no label (e.g. unlabeled test sets or all-negative clips).</param>
/// <param name="CheckAudioExists">Fail on the first entry whose audio file is missing (costs one stat per clip).</param>
public sealed record ManifestReadOptions(bool AllowEmptyLabels = false, bool CheckAudioExists = false)
{
    public static ManifestReadOptions Default { get; } = new();
}
