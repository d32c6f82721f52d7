namespace AecOfa.Audio.Datasets.Converters;

/// <summary>Reads one public dataset's own layout and metadata and returns it in the manifest format.</summary>
public interface IManifestConverter
{
    /// <summary>The name used by <see cref="ManifestConverters.Convert"/> and the CLI's --format.</summary>
    string Format { get; }

    /// <summary>Builds classes and entries (paths relative to <paramref name="root"/>); throws
    /// <see cref="ManifestFormatException"/> with file and line for unknown labels, missing files and duplicates.</summary>
    ConvertedDataset Convert(string root);
}
