namespace AecOfa.Engine.IO;

/// <summary>A safetensors file is malformed or corrupt; the message names the file and what is wrong.</summary>
public sealed class SafetensorsFormatException : IOException
{
    public SafetensorsFormatException(string filePath, string problem, Exception? inner = null)
        : base($"Safetensors file '{filePath}': {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>The problem without the file name.</summary>
    public string Problem { get; }
}
