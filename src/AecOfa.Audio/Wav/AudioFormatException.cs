namespace AecOfa.Audio.Wav;

/// <summary>
/// An audio file could not be decoded. The message always starts with the file name and says what was wrong,
/// e.g. "x.wav: data chunk is truncated: header says 32000 bytes, file has 1200".
/// </summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(string fileName, string problem)
        : base($"{fileName}: {problem}")
    {
        FileName = fileName;
        Problem = problem;
    }

    public AudioFormatException(string fileName, string problem, Exception inner)
        : base($"{fileName}: {problem}", inner)
    {
        FileName = fileName;
        Problem = problem;
    }

    public string FileName { get; }

    public string Problem { get; }
}
