namespace AecOfa.Audio.Features;

/// <summary>A feature cache file that is not a complete, well-formed cache (bad magic, version, size or tables).</summary>
public sealed class FeatureCacheCorruptException(string path, string problem)
    : IOException($"Feature cache '{path}' is corrupt: {problem}. Delete it or let OpenOrBuild rebuild it.")
{
    public string CachePath { get; } = path;

    public string Problem { get; } = problem;
}
