using System.Globalization;

namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// Free Spoken Digit Dataset (github.com/Jakobovski/free-spoken-digit-dataset): <c>recordings/{digit}_{speaker}_{index}.wav</c>.
/// Label = digit (classes "0".."9"); split by the dataset's documented convention: index 0-4 is "test", the rest
/// "train".
/// </summary>
public sealed class FsddConverter : IManifestConverter
{
    public const string RecordingsFolder = "recordings";
    public const int TestIndexLimit = 5;

    public string Format => "fsdd";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string folder = Path.Combine(root, RecordingsFolder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"FSDD recordings folder '{folder}' does not exist.");
        var classes = new ClassList(Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)), folder);
        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        var entries = new List<ManifestEntry>();
        foreach (string file in files)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            string[] parts = stem.Split('_');
            if (parts.Length != 3 || parts[0].Length != 1 || !char.IsAsciiDigit(parts[0][0]) || parts[1].Length == 0
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new ManifestFormatException(file, 0, "file name is not {digit}_{speaker}_{index}.wav");
            string split = index < TestIndexLimit ? "test" : "train";
            entries.Add(new ManifestEntry($"{RecordingsFolder}/{Path.GetFileName(file)}", [parts[0]], split));
        }
        if (entries.Count == 0)
            throw new FileNotFoundException($"No WAV files in '{folder}'.");
        return new ConvertedDataset(classes, entries, 0, []);
    }
}
