using AecOfa.Audio.Features;

namespace AecOfa.Cli.Demo;

/// <summary>
/// Per-mel-bin standardization, (x - mean[bin]) / std[bin], with statistics over every frame of the training clips
/// (accumulated in float64 in clip order, so they are deterministic). A bin with no variance keeps std 1.
/// </summary>
internal sealed class MelNormalizer
{
    private MelNormalizer(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
    }

    public float[] Mean { get; }

    public float[] Std { get; }

    public static MelNormalizer Fit(FeatureCache cache, IReadOnlyList<int> clips)
    {
        if (clips.Count == 0) throw new ArgumentException("MelNormalizer: the training split has no clips to take statistics from.", nameof(clips));
        int bins = cache.Bins;
        var sum = new double[bins];
        var sumSq = new double[bins];
        long frames = 0;
        foreach (int clip in clips)
        {
            var f = cache.Features(clip);
            int n = cache.FrameCount(clip);
            for (int b = 0; b < bins; b++)
            {
                var row = f.Slice(b * n, n);
                double s = 0, q = 0;
                foreach (float v in row)
                {
                    s += v;
                    q += (double)v * v;
                }
                sum[b] += s;
                sumSq[b] += q;
            }
            frames += n;
        }
        var mean = new float[bins];
        var std = new float[bins];
        for (int b = 0; b < bins; b++)
        {
            double m = sum[b] / frames;
            double variance = Math.Max(0, sumSq[b] / frames - m * m);
            mean[b] = (float)m;
            std[b] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new MelNormalizer(mean, std);
    }

    /// <summary>Writes the normalized bin-major features of one clip into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<float> features, int frames, Span<float> destination)
    {
        for (int b = 0; b < Mean.Length; b++)
        {
            float m = Mean[b], inv = 1f / Std[b];
            var src = features.Slice(b * frames, frames);
            var dst = destination.Slice(b * frames, frames);
            for (int t = 0; t < frames; t++) dst[t] = (src[t] - m) * inv;
        }
    }
}
