namespace AecOfa.Audio.Features;

public static class FeatureExtractorExtensions
{
    /// <summary>Extracts a clip into a new Bins x Frames array; the clip must be at the extractor's sample rate.</summary>
    public static float[] Extract(this IFeatureExtractor extractor, AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.SampleRate != extractor.SampleRate)
        {
            throw new ArgumentException(
                $"clip is {clip.SampleRate} Hz but the extractor expects {extractor.SampleRate} Hz; resample it first", nameof(clip));
        }

        var features = new float[extractor.Bins * extractor.FrameCount(clip.Samples.Length)];
        extractor.Extract(clip.Samples, features);
        return features;
    }
}
