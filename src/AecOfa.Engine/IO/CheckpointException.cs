namespace AecOfa.Engine.IO;

/// <summary>
/// A checkpoint does not fit the model or optimizer it is loaded into. Lists every missing, unexpected and
/// shape-mismatched tensor by name (all of them, not just the first) and names the file.
/// </summary>
public sealed class CheckpointException : IOException
{
    public CheckpointException(string filePath, string problem, IReadOnlyList<string>? missing = null,
        IReadOnlyList<string>? unexpected = null, IReadOnlyList<string>? shapeMismatches = null, Exception? inner = null)
        : base($"Checkpoint '{filePath}': {problem}", inner)
    {
        FilePath = filePath;
        Missing = missing ?? Array.Empty<string>();
        Unexpected = unexpected ?? Array.Empty<string>();
        ShapeMismatches = shapeMismatches ?? Array.Empty<string>();
    }

    public string FilePath { get; }

    /// <summary>Names the model has but the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names the file has but the model lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>"name: file (a, b) vs model (c, d)" for each tensor whose shapes differ.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }
}
