namespace AecOfa.Audio.Features;

/// <summary>A feature cache file that is not a complete, well-formed cache (bad magic, version, size or tables), or
/// whose float data fails its per-clip checksums (<see cref="CorruptClips"/>).</summary>
public sealed class FeatureCacheCorruptException(string path, string problem, IReadOnlyList<int>? corruptClips = null)
    : IOException($"Feature cache '{path}' is corrupt: {problem}. Delete it or let OpenOrBuild rebuild it.")
{
    public string CachePath { get; } = path;

    public string Problem { get; } = problem;

    /// <summary>Clips whose float data failed its checksum (empty when the problem is structural).</summary>
    public IReadOnlyList<int> CorruptClips { get; } = corruptClips ?? [];
}
