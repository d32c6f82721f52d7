using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// The outcome of <see cref="FeatureCache.OpenOrBuild"/>: the open cache, whether it was (re)built and why
/// ("no cache file", "key changed", a corruption message, ...), the clips whose damaged data was recomputed in place,
/// and the clips skipped as unreadable.
/// </summary>
public sealed record FeatureCacheOpenResult(FeatureCache Cache, bool Built, string? BuildReason)
{
    public IReadOnlyList<SkippedClip> Skipped => Cache.Skipped;

    /// <summary>Clips whose data failed its checksum and was recomputed (the rest of the cache was kept).</summary>
    public IReadOnlyList<int> RepairedClips { get; init; } = [];
}
