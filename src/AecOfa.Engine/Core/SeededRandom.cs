namespace AecOfa.Engine;

/// <summary>Deterministic random helpers. Everything random in the engine takes an explicit <see cref="Random"/>.</summary>
public static class SeededRandom
{
    /// <summary>A generator whose sequence depends only on the seed (not on the runtime's default algorithm choice).</summary>
    public static Random Create(int seed) => new(seed);

    /// <summary>Fills with N(mean, std^2) samples by Box-Muller, two at a time, in index order.</summary>
    public static void FillNormal(Random rng, Span<float> dst, float mean, float std)
    {
        int i = 0;
        while (i < dst.Length)
        {
            double u1 = 1.0 - rng.NextDouble(); // (0, 1]
            double u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            dst[i++] = mean + std * (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i < dst.Length) dst[i++] = mean + std * (float)(r * Math.Sin(2 * Math.PI * u2));
        }
    }
}
