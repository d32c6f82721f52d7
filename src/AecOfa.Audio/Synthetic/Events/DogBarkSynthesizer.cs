using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Dog bark: 1-4 short (80-220 ms) harmonic bursts, f0 200-650 Hz with an arched pitch contour, rough (noisy) source,
/// sharp attack and fast decay, through three formants (F1 500-1000, F2 1200-2200, F3 2400-3400 Hz). Confusable with
/// baby_cry (same source-filter model); barks are shorter, lower, noisier and have no vibrato.
/// </summary>
public sealed class DogBarkSynthesizer : IEventSynthesizer
{
    public string Name => "dog_bark";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int barks = rng.Next(1, 5);
        double f0 = rng.Uniform(200, 650);
        double rolloff = rng.Uniform(0.6, 1.2);
        double noise = rng.Uniform(0.1, 0.4);
        (double, double, double)[] formants =
        [
            (rng.Uniform(500, 1000), rng.Uniform(3, 6), 1.0),
            (rng.Uniform(1200, 2200), rng.Uniform(4, 8), 0.6),
            (rng.Uniform(2400, 3400), rng.Uniform(5, 10), 0.3),
        ];
        var plan = new List<(int Start, int Length)>();
        double t = 0;
        for (int b = 0; b < barks; b++)
        {
            int n = Tone.Samples(rng.Uniform(0.08, 0.22), sampleRate);
            plan.Add((Tone.Samples(t, sampleRate), n));
            t += n / (double)sampleRate + rng.Uniform(0.12, 0.4);
        }
        int length = Math.Clamp(plan[^1].Start + plan[^1].Length, 1, maxSamples);
        var y = new float[length];
        double[] harmonics = VoiceSource.Harmonics(20, rolloff);
        foreach ((int start, int n) in plan)
        {
            if (start >= length) break;
            double barkF0 = f0 * rng.Uniform(0.92, 1.08);
            double arch = rng.Uniform(0.05, 0.25);
            var hz = new double[n];
            for (int i = 0; i < n; i++)
            {
                double x = i / (double)n;
                hz[i] = barkF0 * (1 + arch * SineTable.Sin(0.5 * x) - 0.2 * x * x); // rise then fall below the start
            }
            float[] env = Tone.AttackDecay(n, Tone.Samples(rng.Uniform(0.005, 0.015), sampleRate), n / (3.0 * sampleRate), sampleRate);
            float[] release = Tone.AttackRelease(n, 1, Tone.Samples(0.01, sampleRate));
            for (int i = 0; i < n; i++) env[i] *= release[i];
            VoiceSource.AddVoiced(rng, y, start, sampleRate, hz, harmonics, env, noise, formants);
        }
        return y;
    }
}
