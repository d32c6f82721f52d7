namespace AecOfa.Audio.Augmentation;

/// <summary>
/// Mixup (Zhang et al. 2018): x = lambda a + (1 - lambda) b and y = lambda y_a + (1 - lambda) y_b with
/// lambda ~ Beta(alpha, alpha). Label vectors may be one-hot or multi-label (the mix stays in [0, 1] per class).
/// Deterministic for a seeded Random.
/// </summary>
public sealed record Mixup
{
    public Mixup(double alpha)
    {
        if (!(alpha > 0 && double.IsFinite(alpha)))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be positive and finite");
        }

        Alpha = alpha;
    }

    public double Alpha { get; }

    public double SampleLambda(Random random) => BetaSampler.Sample(random, Alpha, Alpha);

    /// <summary>Draws lambda and mixes features and labels of two examples; returns lambda.</summary>
    public float Mix(
        ReadOnlySpan<float> featuresA, ReadOnlySpan<float> featuresB, ReadOnlySpan<float> labelsA, ReadOnlySpan<float> labelsB,
        Span<float> featuresOut, Span<float> labelsOut, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        float lambda = (float)SampleLambda(random);
        Blend(featuresA, featuresB, lambda, featuresOut);
        Blend(labelsA, labelsB, lambda, labelsOut);
        return lambda;
    }

    /// <summary>destination = lambda a + (1 - lambda) b; destination may alias a or b.</summary>
    public static void Blend(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float lambda, Span<float> destination)
    {
        if (a.Length != b.Length || destination.Length != a.Length)
        {
            throw new ArgumentException($"mixup needs equal lengths, got {a.Length}, {b.Length} and destination {destination.Length}");
        }

        float mu = 1 - lambda;
        for (int i = 0; i < a.Length; i++)
        {
            destination[i] = lambda * a[i] + mu * b[i];
        }
    }
}
