namespace AecOfa.Audio.Tests.Synthetic;

/// <summary>Float64 measurements used by the synthetic-dataset tests (naive, obviously correct).</summary>
internal static class SyntheticSignalProbe
{
    /// <summary>Power of x[start..start+length) in [loHz, hiHz]: Hann-windowed naive DFT, bins every 25 Hz, summed.</summary>
    public static double BandPower(float[] x, int start, int length, int sampleRate, double loHz, double hiHz)
    {
        double sum = 0;
        for (double f = loHz; f <= hiHz; f += 25) sum += BinPower(x, start, length, sampleRate, f);
        return sum;
    }

    public static double BinPower(float[] x, int start, int length, int sampleRate, double hz)
    {
        double re = 0, im = 0;
        for (int i = 0; i < length; i++)
        {
            double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (length - 1));
            double phase = 2 * Math.PI * hz * i / sampleRate;
            re += w * x[start + i] * Math.Cos(phase);
            im -= w * x[start + i] * Math.Sin(phase);
        }
        return re * re + im * im;
    }

    /// <summary>Frequency (in 10 Hz steps over [loHz, hiHz]) with the most power in x[start..start+length).</summary>
    public static double PeakHz(float[] x, int start, int length, int sampleRate, double loHz, double hiHz)
    {
        double best = -1, bestHz = loHz;
        for (double f = loHz; f <= hiHz; f += 10)
        {
            double p = BinPower(x, start, length, sampleRate, f);
            if (p > best) { best = p; bestHz = f; }
        }
        return bestHz;
    }

    public static double Energy(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return sum;
    }

    public static string Hash(float[] x) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan())));
}
