namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>
/// Second-order IIR section (RBJ audio-EQ cookbook coefficients), transposed direct form II with double state so
/// long noise runs stay stable and results do not depend on float rounding of the state.
/// </summary>
internal struct Biquad
{
    private readonly double _b0, _b1, _b2, _a1, _a2;
    private double _z1, _z2;

    private Biquad(double b0, double b1, double b2, double a0, double a1, double a2)
    {
        _b0 = b0 / a0; _b1 = b1 / a0; _b2 = b2 / a0; _a1 = a1 / a0; _a2 = a2 / a0;
        _z1 = 0; _z2 = 0;
    }

    /// <summary>Band-pass with 0 dB gain at the centre frequency.</summary>
    public static Biquad BandPass(double sampleRate, double centreHz, double q)
    {
        (double cos, double alpha) = Prewarp(sampleRate, centreHz, q);
        return new Biquad(alpha, 0, -alpha, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad LowPass(double sampleRate, double cutoffHz, double q = 0.7071)
    {
        (double cos, double alpha) = Prewarp(sampleRate, cutoffHz, q);
        return new Biquad((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(double sampleRate, double cutoffHz, double q = 0.7071)
    {
        (double cos, double alpha) = Prewarp(sampleRate, cutoffHz, q);
        return new Biquad((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    private static (double Cos, double Alpha) Prewarp(double sampleRate, double hz, double q)
    {
        // Keep the corner strictly inside (0, Nyquist) so randomized parameters never produce an unstable filter.
        double f = Math.Clamp(hz, 1.0, 0.47 * sampleRate);
        double w0 = 2 * Math.PI * f / sampleRate;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * Math.Max(q, 0.05)));
    }

    public double Process(double x)
    {
        double y = _b0 * x + _z1;
        _z1 = _b1 * x - _a1 * y + _z2;
        _z2 = _b2 * x - _a2 * y;
        return y;
    }

    public void ProcessInPlace(Span<float> signal)
    {
        for (int i = 0; i < signal.Length; i++) signal[i] = (float)Process(signal[i]);
    }

    /// <summary>Filters <paramref name="input"/> and adds <paramref name="gain"/> times the result into <paramref name="output"/>.</summary>
    public void ProcessAdd(ReadOnlySpan<float> input, Span<float> output, float gain)
    {
        for (int i = 0; i < input.Length; i++) output[i] += gain * (float)Process(input[i]);
    }
}
