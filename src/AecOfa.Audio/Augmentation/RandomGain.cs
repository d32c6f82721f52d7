using System.Numerics.Tensors;

namespace AecOfa.Audio.Augmentation;

/// <summary>Scales audio by a gain drawn uniformly in [MinDb, MaxDb] decibels. Deterministic for a seeded Random.</summary>
public sealed record RandomGain
{
    public RandomGain(double minDb, double maxDb)
    {
        if (!(double.IsFinite(minDb) && double.IsFinite(maxDb) && minDb <= maxDb))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDb), $"need finite minDb <= maxDb, got {minDb} and {maxDb}");
        }

        MinDb = minDb;
        MaxDb = maxDb;
    }

    public double MinDb { get; }

    public double MaxDb { get; }

    /// <summary>Applies the gain in place and returns it in dB.</summary>
    public double Apply(Span<float> audio, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double db = MinDb + (MaxDb - MinDb) * random.NextDouble();
        TensorPrimitives.Multiply(audio, (float)Math.Pow(10, db / 20), audio);
        return db;
    }
}
