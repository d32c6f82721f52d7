namespace AecOfa.Audio.Dsp;

/// <summary>Kaiser window and its design formulas (Oppenheim &amp; Schafer 7.6).</summary>
public static class Kaiser
{
    /// <summary>Zeroth-order modified Bessel function of the first kind, by its power series.</summary>
    public static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>Beta giving <paramref name="attenuationDb"/> of stopband attenuation.</summary>
    public static double Beta(double attenuationDb) => attenuationDb > 50
        ? 0.1102 * (attenuationDb - 8.7)
        : attenuationDb >= 21 ? 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21) : 0;

    /// <summary>Window value at <paramref name="x"/> in [-1, 1] (0 outside).</summary>
    public static double Window(double x, double beta)
    {
        double r = 1 - x * x;
        return r <= 0 ? (Math.Abs(x) == 1 ? 1 / BesselI0(beta) : 0) : BesselI0(beta * Math.Sqrt(r)) / BesselI0(beta);
    }
}
