namespace AecOfa.Audio.Augmentation;

/// <summary>Beta and Gamma variates from a caller's Random (Marsaglia &amp; Tsang 2000 for Gamma).</summary>
public static class BetaSampler
{
    public static double Sample(Random random, double a, double b)
    {
        double x = Gamma(random, a);
        double y = Gamma(random, b);
        return x + y == 0 ? (random.NextDouble() < a / (a + b) ? 1 : 0) : x / (x + y);
    }

    public static double Gamma(Random random, double shape)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (shape < 1)
        {
            // Gamma(k) = Gamma(k + 1) * U^(1/k).
            double u = 1 - random.NextDouble();
            return Gamma(random, shape + 1) * Math.Pow(u, 1 / shape);
        }

        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            }
            while (v <= 0);

            v = v * v * v;
            double u = 1 - random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private static double Normal(Random random)
    {
        // Box-Muller; one of the pair is discarded to keep the sampler stateless.
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
