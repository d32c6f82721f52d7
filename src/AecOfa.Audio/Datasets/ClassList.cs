using System.Text;
using AecOfa.Audio.IO;

namespace AecOfa.Audio.Datasets;

/// <summary>
/// The ordered class names of a dataset (classes.txt: one name per line, line order = output index), with the
/// label -> index map and multi-hot target encoding.
/// </summary>
public sealed class ClassList
{
    public const string FileName = "classes.txt";

    private readonly string[] _names;
    private readonly Dictionary<string, int> _index;

    public ClassList(IEnumerable<string> names, string sourceName = "classes")
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names.ToArray();
        _index = new Dictionary<string, int>(_names.Length, StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            string problem = ValidateName(_names[i]);
            if (problem.Length > 0)
                throw new ManifestFormatException(sourceName, i + 1, problem);
            if (!_index.TryAdd(_names[i], i))
                throw new ManifestFormatException(sourceName, i + 1, $"class '{_names[i]}' is listed twice (first on line {_index[_names[i]] + 1})");
        }
    }

    public int Count => _names.Length;

    public IReadOnlyList<string> Names => _names;

    public string this[int index] => _names[index];

    public bool TryGetIndex(string label, out int index) => _index.TryGetValue(label, out index);

    public int IndexOf(string label) =>
        _index.TryGetValue(label, out int index)
            ? index
            : throw new KeyNotFoundException($"Label '{label}' is not one of the {Count} classes.");

    /// <summary>A new float vector of length <see cref="Count"/> with 1 at each label's index.</summary>
    public float[] MultiHot(IEnumerable<string> labels)
    {
        var target = new float[Count];
        foreach (string label in labels)
            target[IndexOf(label)] = 1f;
        return target;
    }

    /// <summary>Clears <paramref name="destination"/> (length <see cref="Count"/>) and sets 1 at each index.</summary>
    public static void FillMultiHot(ReadOnlySpan<int> labelIndices, Span<float> destination)
    {
        destination.Clear();
        foreach (int index in labelIndices)
            destination[index] = 1f;
    }

    public static ClassList Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Class list '{path}' does not exist (expected one class name per line).", path);
        string[] lines = File.ReadAllLines(path, Encoding.UTF8); // strips a BOM, splits CRLF and LF
        int last = lines.Length;
        while (last > 0 && lines[last - 1].Trim().Length == 0)
            last--; // trailing blank lines are harmless
        var names = new string[last];
        for (int i = 0; i < last; i++)
        {
            names[i] = lines[i].Trim();
            if (names[i].Length == 0)
                throw new ManifestFormatException(path, i + 1, "empty class name (blank line inside the class list)");
        }
        return new ClassList(names, path);
    }

    public void Write(string path)
    {
        var text = new StringBuilder();
        foreach (string name in _names)
            text.Append(name).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "empty class name";
        if (name != name.Trim())
            return $"class name '{name}' has leading or trailing spaces";
        if (name.Contains(Manifest.LabelSeparator))
            return $"class name '{name}' contains '{Manifest.LabelSeparator}', the manifest's label separator";
        if (name.AsSpan().IndexOfAny("\r\n") >= 0)
            return "class name contains a line break";
        return string.Empty;
    }
}
