using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Knock on a door or table: 2-5 short noise impulses, 0.12-0.3 s apart with human timing jitter, exciting 2-3 resonant
/// band-passes (90-900 Hz, Q 4-15: the panel's modes), plus a little of the dry click.
/// </summary>
public sealed class KnockSynthesizer : IEventSynthesizer
{
    public string Name => "knock";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int knocks = rng.Next(2, 6);
        double interval = rng.Uniform(0.12, 0.3);
        var starts = new int[knocks];
        double t = 0;
        for (int k = 0; k < knocks; k++)
        {
            starts[k] = Tone.Samples(t, sampleRate);
            t += interval * rng.Uniform(0.85, 1.15);
        }
        int length = Math.Clamp(starts[^1] + Tone.Samples(0.15, sampleRate), 1, maxSamples);
        var excitation = new float[length];
        foreach (int start in starts)
        {
            if (start >= length) break;
            int burst = Tone.Samples(rng.Uniform(0.001, 0.004), sampleRate);
            double amp = rng.Uniform(0.6, 1.0);
            double decay = Math.Exp(-5.0 / Math.Max(1, burst));
            double e = amp;
            for (int i = start; i < Math.Min(length, start + burst); i++, e *= decay)
                excitation[i] += (float)(e * (2 * rng.NextDouble() - 1));
        }
        var y = new float[length];
        int modes = rng.Next(2, 4);
        for (int m = 0; m < modes; m++)
        {
            var resonance = Biquad.BandPass(sampleRate, rng.LogUniform(90, 900), rng.Uniform(4, 15));
            resonance.ProcessAdd(excitation, y, (float)(rng.Uniform(0.5, 1.0) * 6));
        }
        float click = (float)rng.Uniform(0.05, 0.25);
        for (int i = 0; i < length; i++) y[i] += click * excitation[i];
        return y;
    }
}
