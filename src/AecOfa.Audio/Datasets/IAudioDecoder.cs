namespace AecOfa.Audio.Datasets;

/// <summary>Reads an audio file into a mono clip at a requested sample rate (decoding and resampling).</summary>
public interface IAudioDecoder
{
    /// <summary>Throws AudioFormatException / IOException / InvalidDataException / FormatException / NotSupportedException for unreadable files.</summary>
    AudioClip Decode(string path, int sampleRate);
}
