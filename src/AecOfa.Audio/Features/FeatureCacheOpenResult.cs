using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// The outcome of <see cref="FeatureCache.OpenOrBuild"/>: the open cache, whether it was (re)built and why
/// ("no cache file", "key changed", a corruption message, ...), and the clips skipped as unreadable.
/// </summary>
public sealed record FeatureCacheOpenResult(FeatureCache Cache, bool Built, string? BuildReason)
{
    public IReadOnlyList<SkippedClip> Skipped => Cache.Skipped;
}
