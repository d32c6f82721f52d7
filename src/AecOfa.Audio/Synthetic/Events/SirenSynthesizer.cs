using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Siren (heard through a window): a harmonic horn tone sweeping between f_lo (500-900 Hz) and f_hi (1.6-2.2 x f_lo)
/// in one of three patterns: wail (slow sinusoidal sweep, period 1.5-3.5 s), yelp (fast, 0.15-0.4 s) or hi-lo (two
/// alternating tones, period 0.8-1.4 s). Starts at a random point of its cycle.
/// </summary>
public sealed class SirenSynthesizer : IEventSynthesizer
{
    public string Name => "siren";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        double fLo = rng.Uniform(500, 900), ratio = rng.Uniform(1.6, 2.2);
        int pattern = rng.Next(3);
        double period = pattern switch { 0 => rng.Uniform(1.5, 3.5), 1 => rng.Uniform(0.15, 0.4), _ => rng.Uniform(0.8, 1.4) };
        double phase0 = rng.NextDouble();
        int length = Math.Clamp(Tone.Samples(rng.Uniform(1.0, 3.0), sampleRate), 1, maxSamples);
        double[] harmonics = [1.0, rng.Uniform(0.2, 0.5), rng.Uniform(0.1, 0.3), rng.Uniform(0, 0.15)];
        var hz = new double[length];
        double logRatio = Math.Log(ratio);
        for (int i = 0; i < length; i++)
        {
            double cycle = (phase0 + i / (period * sampleRate)) % 1.0;
            double position = pattern switch
            {
                0 => 0.5 - 0.5 * SineTable.Cos(cycle), // wail
                1 => cycle < 0.5 ? 2 * cycle : 2 - 2 * cycle,   // yelp (triangle)
                _ => Math.Clamp(8 * (0.5 - 0.5 * SineTable.Cos(cycle)) - 3.5, 0, 1), // hi-lo: two tones, ~4 %-of-period glides (no clicks)
            };
            hz[i] = fLo * Math.Exp(logRatio * position); // sweep in log frequency
        }
        int ramp = Tone.Samples(0.03, sampleRate);
        var y = new float[length];
        Tone.AddHarmonicTone(y, 0, sampleRate, hz, harmonics, Tone.AttackRelease(length, ramp, ramp));
        return y;
    }
}
