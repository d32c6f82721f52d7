namespace AecOfa.Audio;

/// <summary>Mono audio in [-1, 1] floats at a sample rate. Multi-channel sources are downmixed on load.</summary>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
