namespace AecOfa.Audio.Wav;

public static class WavSampleFormatExtensions
{
    public static int BytesPerSample(this WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => 1,
        WavSampleFormat.Pcm16 => 2,
        WavSampleFormat.Pcm24 => 3,
        WavSampleFormat.Pcm32 => 4,
        WavSampleFormat.Float32 => 4,
        WavSampleFormat.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown WAV sample format"),
    };

    public static bool IsFloat(this WavSampleFormat format) =>
        format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
}
