using System.Globalization;

namespace AecOfa.Audio.Features;

/// <summary>
/// How clip lengths enter the cache. Fixed (the default, 10 s): every clip is cropped to its first N seconds or
/// zero-padded at the end, so all clips have the same frame count and training batches are rectangular.
/// Variable: each clip keeps its own length (per-clip frame offsets in the cache).
/// </summary>
public sealed record ClipLengthPolicy
{
    public const double DefaultSeconds = 10.0;

    private ClipLengthPolicy(double? seconds) => Seconds = seconds;

    /// <summary>Target length in seconds, or null for variable length.</summary>
    public double? Seconds { get; }

    public static ClipLengthPolicy Default { get; } = new(DefaultSeconds);

    public static ClipLengthPolicy Variable { get; } = new((double?)null);

    public static ClipLengthPolicy Fixed(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds <= 0)
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Clip length must be a positive number of seconds.");
        return new ClipLengthPolicy(seconds);
    }

    /// <summary>Stable text for the cache key.</summary>
    public string Key => Seconds is { } s ? "fixed:" + s.ToString("R", CultureInfo.InvariantCulture) + "s" : "variable";

    /// <summary>Samples per clip at <paramref name="sampleRate"/>, or null for variable length.</summary>
    public int? SampleCount(int sampleRate) => Seconds is { } s ? checked((int)Math.Round(s * sampleRate)) : null;

    /// <summary>
    /// <paramref name="samples"/> cropped/padded to the fixed length (the same array when it already fits or the
    /// policy is variable).
    /// </summary>
    public float[] Apply(float[] samples, int sampleRate)
    {
        if (SampleCount(sampleRate) is not { } n || n == samples.Length)
            return samples;
        var result = new float[n];
        samples.AsSpan(0, Math.Min(n, samples.Length)).CopyTo(result);
        return result;
    }
}
