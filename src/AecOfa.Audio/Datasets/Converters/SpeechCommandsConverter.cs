namespace AecOfa.Audio.Datasets.Converters;

/// <summary>
/// Google Speech Commands (v0.01/v0.02): one folder per word with WAVs, plus <c>validation_list.txt</c> and
/// <c>testing_list.txt</c> (paths like <c>right/bb05582b_nohash_0.wav</c>). Split: "test" if listed in the testing
/// list, "val" if in the validation list, else "train". Folders starting with '_' (<c>_background_noise_</c>) are
/// excluded. Classes are the word folders in ordinal order.
/// </summary>
public sealed class SpeechCommandsConverter : IManifestConverter
{
    public const string ValidationList = "validation_list.txt";
    public const string TestingList = "testing_list.txt";

    public string Format => "speechcommands";

    public ConvertedDataset Convert(string root)
    {
        root = ConverterSupport.RequireRoot(root);
        string validationPath = ConverterSupport.RequireFile(root, ValidationList, "Speech Commands validation list");
        string testingPath = ConverterSupport.RequireFile(root, TestingList, "Speech Commands testing list");
        string[] words = Directory.GetDirectories(root)
            .Select(Path.GetFileName)
            .Where(name => !string.IsNullOrEmpty(name) && !name.StartsWith('_') && !name.StartsWith('.'))
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (words.Length == 0)
            throw new DirectoryNotFoundException($"No word folders in '{root}'.");
        var classes = new ClassList(words, root);

        var splitOf = new Dictionary<string, (string Split, string File, int Line)>(StringComparer.Ordinal);
        ReadList(root, testingPath, "test", classes, splitOf);
        ReadList(root, validationPath, "val", classes, splitOf);

        var entries = new List<ManifestEntry>();
        foreach (string word in words)
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, word))
                .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                .Select(f => $"{word}/{Path.GetFileName(f)}")
                .Order(StringComparer.Ordinal);
            foreach (string path in files)
                entries.Add(new ManifestEntry(path, [word], splitOf.TryGetValue(path, out var s) ? s.Split : "train"));
        }
        return new ConvertedDataset(classes, entries, 0, []);
    }

    private static void ReadList(string root, string listPath, string split, ClassList classes,
        Dictionary<string, (string Split, string File, int Line)> splitOf)
    {
        string[] lines = File.ReadAllLines(listPath);
        for (int i = 0; i < lines.Length; i++)
        {
            string path = lines[i].Trim().TrimStart('\uFEFF').Replace('\\', '/');
            if (path.Length == 0)
                continue;
            int line = i + 1;
            int slash = path.IndexOf('/');
            if (slash <= 0)
                throw new ManifestFormatException(listPath, line, $"'{path}' is not of the form word/file.wav");
            string word = path[..slash];
            if (!classes.TryGetIndex(word, out _))
                throw new ManifestFormatException(listPath, line, $"unknown label '{word}' (no such word folder)");
            ConverterSupport.RequireAudio(root, path, listPath, line);
            if (!splitOf.TryAdd(path, (split, listPath, line)))
            {
                var first = splitOf[path];
                throw new ManifestFormatException(listPath, line, $"duplicate entry '{path}' (already at {first.File}:{first.Line})");
            }
        }
    }
}
