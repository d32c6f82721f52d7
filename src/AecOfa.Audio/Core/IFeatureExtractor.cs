namespace AecOfa.Audio;

/// <summary>
/// Turns mono audio at <see cref="SampleRate"/> into a feature matrix (Bins x Frames, row-major: bin-major,
/// so row b holds bin b over time), matching the engine's (channels, mel bins, frames) convention.
/// <see cref="ConfigKey"/> is a stable string of every parameter that changes the output; caches hash it.
/// </summary>
public interface IFeatureExtractor
{
    int SampleRate { get; }

    int Bins { get; }

    string ConfigKey { get; }

    /// <summary>Number of frames produced for <paramref name="sampleCount"/> samples.</summary>
    int FrameCount(int sampleCount);

    /// <summary>Writes Bins x FrameCount(samples.Length) values into <paramref name="destination"/>.</summary>
    void Extract(ReadOnlySpan<float> samples, Span<float> destination);
}
