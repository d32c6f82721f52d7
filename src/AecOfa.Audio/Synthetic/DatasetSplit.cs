namespace AecOfa.Audio.Synthetic;

public enum DatasetSplit
{
    Train = 0,
    Validation = 1,
    Test = 2,
}

public static class DatasetSplitNames
{
    /// <summary>The name used in manifest.csv's split column and as the WAV subfolder: train, val, test.</summary>
    public static string ManifestName(this DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Validation => "val",
        DatasetSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };
}
