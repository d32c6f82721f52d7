namespace AecOfa.Audio.Features;

/// <summary>
/// Streaming per-bin mean and variance over Bins x Frames feature matrices, in float64. Each clip's rows are
/// reduced with a two-pass (mean, then sum of squared deviations) and folded in with Chan et al.'s pairwise
/// update, so the result equals a two-pass computation over all frames to float64 rounding, however many clips
/// and in whatever order (<see cref="Merge"/> combines accumulators filled on different threads).
/// Not thread-safe: use one per thread and merge.
/// </summary>
public sealed class FeatureStatistics
{
    private readonly double[] _mean;
    private readonly double[] _m2; // sum of squared deviations from the mean

    public FeatureStatistics(int bins)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        Bins = bins;
        _mean = new double[bins];
        _m2 = new double[bins];
    }

    public int Bins { get; }

    /// <summary>Frames seen (each contributes one value per bin).</summary>
    public long Frames { get; private set; }

    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Population variance (divides by <see cref="Frames"/>).</summary>
    public double Variance(int bin) => Frames == 0 ? double.NaN : _m2[bin] / Frames;

    /// <summary>Adds one Bins x frames matrix (bin-major, as extractors write it). A non-finite value is an
    /// <see cref="InvalidDataException"/> naming <paramref name="source"/> (e.g. the cache file and clip), the bin and
    /// the frame, and leaves the statistics unchanged.</summary>
    public void Add(ReadOnlySpan<float> features, int bins, string? source = null)
    {
        int frames = FeatureNormalizer.CheckShape(features.Length, bins, Bins, "features");
        if (frames == 0)
        {
            return;
        }

        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new InvalidDataException(
                    $"{source ?? "features"}: non-finite value {features[i]} at mel bin {i / frames}, frame {i % frames}; cannot fit normalization statistics");
            }
        }

        for (int b = 0; b < Bins; b++)
        {
            ReadOnlySpan<float> row = features.Slice(b * frames, frames);
            double sum = 0;
            foreach (float v in row)
            {
                sum += v;
            }

            double mean = sum / frames;
            double m2 = 0;
            foreach (float v in row)
            {
                double d = v - mean;
                m2 += d * d;
            }

            Combine(b, frames, mean, m2);
        }

        Frames += frames;
    }

    /// <summary>Folds another accumulator's frames into this one.</summary>
    public void Merge(FeatureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Bins != Bins)
        {
            throw new ArgumentException($"cannot merge statistics of {other.Bins} bins into {Bins} bins", nameof(other));
        }

        if (other.Frames == 0)
        {
            return;
        }

        for (int b = 0; b < Bins; b++)
        {
            Combine(b, other.Frames, other._mean[b], other._m2[b]);
        }

        Frames += other.Frames;
    }

    /// <summary>
    /// Freezes the statistics. Standard deviations below <paramref name="minStd"/> (constant bins, e.g. a band
    /// that is always at the log floor) are raised to it so normalization never divides by zero.
    /// </summary>
    public FeatureNormalizer ToNormalizer(double minStd = 1e-5, string? featureConfigKey = null)
    {
        if (Frames == 0)
        {
            throw new InvalidOperationException("no features were added (is the split empty?); cannot compute mean and std");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minStd);
        var std = new double[Bins];
        for (int b = 0; b < Bins; b++)
        {
            std[b] = Math.Max(Math.Sqrt(Variance(b)), minStd);
        }

        return new FeatureNormalizer(_mean.ToArray(), std, Frames, featureConfigKey);
    }

    private void Combine(int bin, long countB, double meanB, double m2B)
    {
        long countA = Frames;
        long total = countA + countB;
        double delta = meanB - _mean[bin];
        _mean[bin] += delta * countB / total;
        _m2[bin] += m2B + delta * delta * ((double)countA * countB / total);
    }
}
