namespace AecOfa.Audio.Datasets;

/// <summary>What loading does with a missing, corrupt or unsupported audio file.</summary>
public enum UnreadableFilePolicy
{
    /// <summary>Stop with a <see cref="ClipLoadException"/> naming the file (default: bad data should be seen).</summary>
    Stop,

    /// <summary>Leave the clip out, count it and list it in the loader's report.</summary>
    Skip,
}
