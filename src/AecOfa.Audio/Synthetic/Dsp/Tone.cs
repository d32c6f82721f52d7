namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>Oscillators and envelopes that add into a buffer.</summary>
internal static class Tone
{
    /// <summary>Adds amplitude * sin(phase + 2 pi f t) over [start, start + length) of <paramref name="destination"/>.</summary>
    public static void AddSine(Span<float> destination, int start, int length, double sampleRate, double hz, double amplitude, double phase = 0)
    {
        int end = Math.Min(destination.Length, start + length);
        if (start < 0 || end <= start) return;
        AddResonator(destination.Slice(start, end - start), 2 * Math.PI * hz / sampleRate, amplitude, 1.0, phase);
    }

    /// <summary>Adds an exponentially decaying sine (a struck resonance) starting at <paramref name="start"/>.</summary>
    public static void AddDampedSine(Span<float> destination, int start, double sampleRate, double hz, double amplitude, double decaySeconds, double phase = 0)
    {
        if (hz >= 0.5 * sampleRate) return; // above Nyquist: would alias
        // Stop once the partial has decayed by ~70 dB: cheaper, and inaudible under any background.
        int length = (int)Math.Min(destination.Length - (long)start, (long)Math.Ceiling(8 * decaySeconds * sampleRate));
        if (start < 0 || length <= 0) return;
        AddResonator(destination.Slice(start, length), 2 * Math.PI * hz / sampleRate, amplitude, Math.Exp(-1.0 / (decaySeconds * sampleRate)), phase);
    }

    /// <summary>
    /// Adds amplitude * r^n * sin(phase + w n) by the two-pole recursion y[n] = 2 r cos(w) y[n-1] - r^2 y[n-2]
    /// (exact up to float64 rounding, which stays far below float32 resolution over seconds of audio).
    /// </summary>
    private static void AddResonator(Span<float> destination, double w, double amplitude, double r, double phase)
    {
        double a1 = 2 * r * Math.Cos(w), a2 = r * r;
        double y2 = amplitude * Math.Sin(phase - w) / r; // the sample before the first
        double y1 = amplitude * Math.Sin(phase);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] += (float)y1;
            double y0 = a1 * y1 - a2 * y2;
            y2 = y1;
            y1 = y0;
        }
    }

    /// <summary>
    /// Adds a harmonic tone whose instantaneous frequency is <paramref name="hzPerSample"/>[t] (phase integrated sample by
    /// sample), scaled by <paramref name="envelope"/>[t], starting at <paramref name="start"/>. Harmonic h (1-based) has
    /// amplitude <paramref name="harmonicAmplitudes"/>[h-1]; harmonics at or above 0.48 sampleRate are dropped (no aliasing).
    /// Harmonics come from the Chebyshev recurrence sin((h+1)x) = 2 cos x sin(hx) - sin((h-1)x): two table look-ups per sample.
    /// </summary>
    public static void AddHarmonicTone(Span<float> destination, int start, double sampleRate,
        ReadOnlySpan<double> hzPerSample, ReadOnlySpan<double> harmonicAmplitudes, ReadOnlySpan<float> envelope)
    {
        int end = Math.Min(destination.Length, start + hzPerSample.Length);
        double phase = 0; // in cycles
        double nyquistGuard = 0.48 * sampleRate;
        for (int i = Math.Max(start, 0); i < end; i++)
        {
            int t = i - start;
            double f = hzPerSample[t];
            double s1 = SineTable.Sin(phase), c2 = 2 * SineTable.Cos(phase);
            double sPrev = 0, sCur = s1, sum = 0;
            for (int h = 0; h < harmonicAmplitudes.Length; h++)
            {
                if (f * (h + 1) >= nyquistGuard) break;
                sum += harmonicAmplitudes[h] * sCur;
                double sNext = c2 * sCur - sPrev;
                sPrev = sCur;
                sCur = sNext;
            }
            destination[i] += (float)(sum * envelope[t]);
            phase += f / sampleRate;
            if (phase >= 1) phase -= 1;
        }
    }

    /// <summary>Linear attack, flat hold, linear release envelope of <paramref name="length"/> samples (ramps shortened to fit).</summary>
    public static float[] AttackRelease(int length, int attack, int release)
    {
        var env = new float[length];
        attack = Math.Clamp(attack, 1, Math.Max(1, length / 2));
        release = Math.Clamp(release, 1, Math.Max(1, length / 2));
        for (int i = 0; i < length; i++)
        {
            float a = Math.Min(1f, (i + 1) / (float)attack);
            float r = Math.Min(1f, (length - i) / (float)release);
            env[i] = Math.Min(a, r);
        }
        return env;
    }

    /// <summary>Fast linear attack then exponential decay with time constant <paramref name="decaySeconds"/>.</summary>
    public static float[] AttackDecay(int length, int attack, double decaySeconds, double sampleRate)
    {
        var env = new float[length];
        attack = Math.Max(1, attack);
        double k = Math.Exp(-1.0 / (decaySeconds * sampleRate));
        double d = 1;
        for (int i = 0; i < length; i++)
        {
            if (i >= attack) d *= k;
            env[i] = (float)(Math.Min(1.0, (i + 1) / (double)attack) * d);
        }
        return env;
    }

    public static int Samples(double seconds, double sampleRate) => (int)Math.Round(seconds * sampleRate);
}
