namespace AecOfa.Audio.Tests.Support;

/// <summary>
/// A tiny deterministic, thread-safe feature extractor for cache tests: frame t of bin b is
/// (b + 1) * (sum of samples in hop t) + b * 0.5, with FrameCount = samples / Hop.
/// </summary>
public sealed class FakeExtractor(int sampleRate = 100, int bins = 3, int hop = 10, string tag = "fake") : IFeatureExtractor
{
    private int _calls;

    public int SampleRate => sampleRate;

    public int Bins => bins;

    public string ConfigKey => $"{tag};sr={sampleRate};bins={bins};hop={hop}";

    /// <summary>Number of Extract calls so far (counts how many clips were computed).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public int FrameCount(int sampleCount) => sampleCount / hop;

    public void Extract(ReadOnlySpan<float> samples, Span<float> destination)
    {
        Interlocked.Increment(ref _calls);
        int frames = FrameCount(samples.Length);
        if (destination.Length != bins * frames)
            throw new ArgumentException("destination size");
        for (int t = 0; t < frames; t++)
        {
            float sum = 0;
            for (int i = 0; i < hop; i++)
                sum += samples[t * hop + i];
            for (int b = 0; b < bins; b++)
                destination[b * frames + t] = (b + 1) * sum + b * 0.5f;
        }
    }
}
