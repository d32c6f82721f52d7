using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AecOfa.Audio.Features;

/// <summary>
/// Per-bin standardization x' = (x - mean[b]) / std[b], applied in place to Bins x Frames features. Computed by
/// <see cref="FeatureStatistics"/> on training features; round-trips through JSON (doubles in shortest round-trip
/// form) so it can travel in a model's metadata. Immutable and thread-safe.
/// </summary>
public sealed class FeatureNormalizer
{
    public const string FormatName = "aecofa.feature-normalizer";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly double[] _mean;
    private readonly double[] _std;
    private readonly float[] _meanF;
    private readonly float[] _invStdF;

    public FeatureNormalizer(double[] mean, double[] std, long frames = 0, string? featureConfigKey = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
        {
            throw new ArgumentException($"mean has {mean.Length} bins and std {std.Length}; need the same positive count");
        }

        for (int b = 0; b < mean.Length; b++)
        {
            if (!double.IsFinite(mean[b]) || !(std[b] > 0) || !double.IsFinite(std[b]))
            {
                throw new ArgumentException($"bin {b}: mean {mean[b]} and std {std[b]} must be finite with std > 0");
            }
        }

        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        _mean = mean.ToArray();
        _std = std.ToArray();
        _meanF = _mean.Select(v => (float)v).ToArray();
        _invStdF = _std.Select(v => (float)(1 / v)).ToArray();
        Frames = frames;
        FeatureConfigKey = featureConfigKey;
    }

    public int Bins => _mean.Length;

    public ReadOnlySpan<double> Mean => _mean;

    public ReadOnlySpan<double> Std => _std;

    /// <summary>Frames the statistics were computed over (0 if unknown).</summary>
    public long Frames { get; }

    /// <summary>ConfigKey of the extractor whose features these statistics describe, if recorded.</summary>
    public string? FeatureConfigKey { get; }

    /// <summary>Normalizes a Bins x frames matrix in place; <paramref name="bins"/> must equal <see cref="Bins"/>.</summary>
    public void Apply(Span<float> features, int bins)
    {
        int frames = CheckShape(features.Length, bins, Bins, "features");
        for (int b = 0; b < Bins; b++)
        {
            Span<float> row = features.Slice(b * frames, frames);
            TensorPrimitives.Subtract(row, _meanF[b], row);
            TensorPrimitives.Multiply(row, _invStdF[b], row);
        }
    }

    /// <summary>Naive float64 reference of <see cref="Apply"/>.</summary>
    internal double[] ApplyReference(ReadOnlySpan<float> features)
    {
        int frames = features.Length / Bins;
        var result = new double[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            int b = i / frames;
            result[i] = (features[i] - _mean[b]) / _std[b];
        }

        return result;
    }

    /// <summary>Throws unless the extractor has this normalizer's bin count and (when recorded) feature ConfigKey.</summary>
    public void EnsureCompatible(IFeatureExtractor extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        if (extractor.Bins != Bins)
        {
            throw new ArgumentException($"extractor has {extractor.Bins} bins, normalizer was computed for {Bins}", nameof(extractor));
        }

        if (FeatureConfigKey is not null && FeatureConfigKey != extractor.ConfigKey)
        {
            throw new ArgumentException(
                $"normalizer was computed for features '{FeatureConfigKey}', extractor produces '{extractor.ConfigKey}'", nameof(extractor));
        }
    }

    public string ToJson() => JsonSerializer.Serialize(
        new Dto(FormatName, FormatVersion, Bins, Frames, FeatureConfigKey, _mean, _std), JsonOptions);

    /// <summary>Parses <see cref="ToJson"/> output; <paramref name="sourceName"/> prefixes error messages.</summary>
    public static FeatureNormalizer FromJson(string json, string sourceName = "normalizer JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        Dto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<Dto>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not valid JSON ({e.Message})", e);
        }

        if (dto is null || dto.Format != FormatName)
        {
            throw new InvalidDataException($"{sourceName}: format is '{dto?.Format}', expected '{FormatName}'");
        }

        if (dto.Version != FormatVersion)
        {
            throw new InvalidDataException($"{sourceName}: version {dto.Version} is not supported (expected {FormatVersion})");
        }

        if (dto.Mean is null || dto.Std is null || dto.Mean.Length != dto.Bins || dto.Std.Length != dto.Bins)
        {
            throw new InvalidDataException(
                $"{sourceName}: bins is {dto.Bins} but mean has {dto.Mean?.Length ?? 0} and std {dto.Std?.Length ?? 0} values");
        }

        try
        {
            return new FeatureNormalizer(dto.Mean, dto.Std, dto.Frames, dto.FeatureConfigKey);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{sourceName}: {e.Message}", e);
        }
    }

    /// <summary>Writes the JSON atomically (temporary file in the same folder, then rename).</summary>
    public void Save(string path) => AecOfa.Audio.IO.AtomicFile.WriteAllText(path, ToJson());

    public static FeatureNormalizer Load(string path) => FromJson(File.ReadAllText(path), path);

    /// <summary>Frames in a Bins x Frames matrix of <paramref name="length"/> values, checking the bin count.</summary>
    internal static int CheckShape(int length, int bins, int expectedBins, string name)
    {
        if (bins != expectedBins)
        {
            throw new ArgumentException($"{name} have {bins} bins, the statistics are for {expectedBins} bins", name);
        }

        if (length % bins != 0)
        {
            throw new ArgumentException($"{name} hold {length} values, not a whole number of {bins}-bin frames", name);
        }

        return length / bins;
    }

    private sealed record Dto(
        string? Format, int Version, int Bins, long Frames, string? FeatureConfigKey, double[]? Mean, double[]? Std);
}
