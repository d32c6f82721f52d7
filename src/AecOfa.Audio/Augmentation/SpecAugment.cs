namespace AecOfa.Audio.Augmentation;

/// <summary>
/// SpecAugment masking (Park et al. 2019, without time warping) on a Bins x Frames matrix in place: each of
/// <see cref="TimeMasks"/> masks has a width drawn uniformly from 0..<see cref="MaxTimeWidth"/> (clipped to the frame
/// count) and a start drawn uniformly so the stripe fits; likewise for frequency. Masked values become
/// <see cref="FillValue"/> (0 = the mean after normalization). Masks may overlap. Deterministic for a seeded Random.
/// </summary>
public sealed record SpecAugment
{
    public SpecAugment(int timeMasks, int maxTimeWidth, int frequencyMasks, int maxFrequencyWidth, float fillValue = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timeMasks);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTimeWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(frequencyMasks);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrequencyWidth);
        TimeMasks = timeMasks;
        MaxTimeWidth = maxTimeWidth;
        FrequencyMasks = frequencyMasks;
        MaxFrequencyWidth = maxFrequencyWidth;
        FillValue = fillValue;
    }

    public int TimeMasks { get; }

    public int MaxTimeWidth { get; }

    public int FrequencyMasks { get; }

    public int MaxFrequencyWidth { get; }

    public float FillValue { get; }

    /// <summary>Masks <paramref name="features"/> (bins x frames, bin-major) and returns the stripes drawn.</summary>
    public IReadOnlyList<SpectrogramMask> Apply(Span<float> features, int bins, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (features.Length % bins != 0)
        {
            throw new ArgumentException($"features hold {features.Length} values, not a whole number of {bins}-bin frames", nameof(features));
        }

        int frames = features.Length / bins;
        var masks = new List<SpectrogramMask>(TimeMasks + FrequencyMasks);
        for (int i = 0; i < FrequencyMasks; i++)
        {
            var m = Draw(MaskAxis.Frequency, bins, MaxFrequencyWidth, random);
            features.Slice(m.Start * frames, m.Width * frames).Fill(FillValue);
            masks.Add(m);
        }

        for (int i = 0; i < TimeMasks; i++)
        {
            var m = Draw(MaskAxis.Time, frames, MaxTimeWidth, random);
            for (int b = 0; b < bins; b++)
            {
                features.Slice(b * frames + m.Start, m.Width).Fill(FillValue);
            }

            masks.Add(m);
        }

        return masks;
    }

    private static SpectrogramMask Draw(MaskAxis axis, int size, int maxWidth, Random random)
    {
        int width = random.Next(Math.Min(maxWidth, size) + 1);
        int start = random.Next(size - width + 1);
        return new SpectrogramMask(axis, start, width);
    }
}
