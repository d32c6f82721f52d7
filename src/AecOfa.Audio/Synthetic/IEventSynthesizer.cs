namespace AecOfa.Audio.Synthetic;

/// <summary>
/// Procedural generator of one household sound-event class. Contract: every random choice comes from the
/// <see cref="Random"/> passed in (so output depends only on its state); the result has 1..maxSamples samples, starts
/// sounding within its first few milliseconds (the mixer's onset is the sound's onset) and has a peak of order 1 (the
/// mixer rescales it to the drawn SNR, so absolute level does not matter).
/// </summary>
public interface IEventSynthesizer
{
    /// <summary>Class label, lower_snake_case; also the name written to classes.txt and manifests.</summary>
    string Name { get; }

    float[] Generate(Random rng, int sampleRate, int maxSamples);
}
