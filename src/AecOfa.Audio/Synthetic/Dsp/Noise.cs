namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>Seeded noise sources. Every draw comes from the caller's <see cref="Random"/>, in index order.</summary>
internal static class Noise
{
    /// <summary>Uniform white noise in [-1, 1).</summary>
    public static void White(Random rng, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(2 * rng.NextDouble() - 1);
    }

    public static float[] White(Random rng, int length)
    {
        var x = new float[length];
        White(rng, x);
        return x;
    }

    /// <summary>Pink (1/f) noise: Paul Kellet's refined 7-pole filter over white noise, accurate to +-0.05 dB above 9 Hz at 44.1 kHz.</summary>
    public static float[] Pink(Random rng, int length)
    {
        var x = new float[length];
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (int i = 0; i < length; i++)
        {
            double w = 2 * rng.NextDouble() - 1;
            b0 = 0.99886 * b0 + w * 0.0555179;
            b1 = 0.99332 * b1 + w * 0.0750759;
            b2 = 0.96900 * b2 + w * 0.1538520;
            b3 = 0.86650 * b3 + w * 0.3104856;
            b4 = 0.55000 * b4 + w * 0.5329522;
            b5 = -0.7616 * b5 - w * 0.0168980;
            x[i] = (float)((b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.11);
            b6 = w * 0.115926;
        }
        return x;
    }

    /// <summary>Brown (1/f^2) noise: a leaky integrator of white noise (the leak keeps it free of DC drift).</summary>
    public static float[] Brown(Random rng, int length)
    {
        var x = new float[length];
        double y = 0;
        for (int i = 0; i < length; i++)
        {
            y = 0.996 * y + 0.06 * (2 * rng.NextDouble() - 1);
            x[i] = (float)y;
        }
        return x;
    }

    /// <summary>Uniform draw in [min, max).</summary>
    public static double Uniform(this Random rng, double min, double max) => min + (max - min) * rng.NextDouble();

    /// <summary>Log-uniform draw in [min, max) (for frequencies and time constants).</summary>
    public static double LogUniform(this Random rng, double min, double max) =>
        Math.Exp(Math.Log(min) + (Math.Log(max) - Math.Log(min)) * rng.NextDouble());

    public static bool Chance(this Random rng, double probability) => rng.NextDouble() < probability;
}
