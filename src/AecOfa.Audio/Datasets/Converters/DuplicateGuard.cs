namespace AecOfa.Audio.Datasets.Converters;

/// <summary>Remembers the first line of each key so a duplicate's error can cite both lines.</summary>
internal sealed class DuplicateGuard(string file, string what)
{
    private readonly Dictionary<string, int> _first = new(StringComparer.Ordinal);

    public void Add(string key, int line)
    {
        if (!_first.TryAdd(key, line))
            throw new ManifestFormatException(file, line, $"duplicate {what} '{key}' (first on line {_first[key]})");
    }
}
