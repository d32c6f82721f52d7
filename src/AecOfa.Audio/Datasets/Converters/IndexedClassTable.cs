namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// Collects (index, name) pairs from datasets that give both per row (ESC-50 target/category, UrbanSound8K
/// classID/class) and checks that every index maps to one name, every name to one index, and indices are 0..N-1.
/// </summary>
internal sealed class IndexedClassTable(string file)
{
    private readonly Dictionary<int, (string Name, int Line)> _byIndex = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    public void Add(int index, string name, int line)
    {
        if (index < 0)
            throw new ManifestFormatException(file, line, $"class index {index} is negative");
        if (_byIndex.TryGetValue(index, out var known))
        {
            if (known.Name != name)
                throw new ManifestFormatException(file, line,
                    $"class index {index} is '{name}' here but '{known.Name}' on line {known.Line}");
            return;
        }
        if (_byName.TryGetValue(name, out int other))
            throw new ManifestFormatException(file, line, $"class '{name}' has index {index} here but {other} on line {_byIndex[other].Line}");
        _byIndex[index] = (name, line);
        _byName[name] = index;
    }

    public ClassList ToClassList()
    {
        var names = new string[_byIndex.Count];
        for (int i = 0; i < names.Length; i++)
        {
            if (!_byIndex.TryGetValue(i, out var entry))
                throw new ManifestFormatException(file, 0, $"class indices are not contiguous: {i} is missing among 0..{names.Length - 1} (maximum seen {_byIndex.Keys.Max()})");
            names[i] = entry.Name;
        }
        return new ClassList(names, file);
    }
}
