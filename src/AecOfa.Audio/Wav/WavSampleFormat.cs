namespace AecOfa.Audio.Wav;

/// <summary>How samples are stored in a WAV data chunk.</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned PCM (128 = silence).</summary>
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
}
