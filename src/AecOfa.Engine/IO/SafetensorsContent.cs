namespace AecOfa.Engine.IO;

/// <summary>What a safetensors file holds: named float32 tensors in file (data offset) order and string metadata.</summary>
public sealed class SafetensorsContent
{
    private readonly Dictionary<string, Tensor> _byName;

    public SafetensorsContent(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
            if (!_byName.TryAdd(name, t)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
    }

    public IReadOnlyList<(string Name, Tensor Tensor)> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>True when the file's whole-file hash (<see cref="SafetensorsFile.FileSha256Key"/>) was present and matched.</summary>
    public bool IntegrityVerified { get; init; }

    public bool TryGet(string name, out Tensor tensor) => _byName.TryGetValue(name, out tensor!);

    public Tensor this[string name] => _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No tensor named '{name}'.");
}
