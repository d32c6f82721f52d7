namespace AecOfa.Audio.Features;

/// <summary>Options of <see cref="FeatureCache.OpenOrBuild"/>. Unreadable clips follow the loader's <see cref="Datasets.UnreadableFilePolicy"/>.</summary>
/// <param name="Length">Clip length policy (default: fixed 10 s); part of the cache key.</param>
/// <param name="MaxDegreeOfParallelism">Worker count for the build; 0 = all cores.</param>
/// <param name="ExtractorPerWorker">
/// Creates one extractor per worker thread for extractors that are not thread-safe; each must have the same
/// ConfigKey as the extractor passed to the build. Null: the one extractor is shared and must be thread-safe.
/// </param>
public sealed record FeatureCacheOptions(
    ClipLengthPolicy? Length = null,
    int MaxDegreeOfParallelism = 0,
    Func<IFeatureExtractor>? ExtractorPerWorker = null)
{
    public static FeatureCacheOptions Default { get; } = new();

    public ClipLengthPolicy EffectiveLength => Length ?? ClipLengthPolicy.Default;

    internal int Workers => MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
}
