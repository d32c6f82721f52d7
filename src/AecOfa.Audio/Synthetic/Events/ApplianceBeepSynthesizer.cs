using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Appliance beep (microwave, washing machine, oven timer): 1-5 short beeps (50-300 ms) at 1.5-4.5 kHz, pure or
/// square-ish, sometimes a two-pitch "ding". Deliberately overlaps the smoke alarm's band; the pulse length and
/// rhythm are what separate them.
/// </summary>
public sealed class ApplianceBeepSynthesizer : IEventSynthesizer
{
    public string Name => "appliance_beep";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        double hz = rng.LogUniform(1500, 4500);
        int beeps = rng.Next(1, 6);
        double beepSeconds = rng.Uniform(0.05, 0.3), gapSeconds = rng.Uniform(0.06, 0.25);
        bool twoPitch = rng.Chance(0.3);
        double secondRatio = rng.Chance(0.5) ? rng.Uniform(0.7, 0.85) : rng.Uniform(1.15, 1.35);
        double[] harmonics = rng.Chance(0.5) ? [1.0] : [1.0, 0, 1.0 / 3, 0, 1.0 / 5]; // pure or odd-harmonic (square-ish)
        int beepSamples = Math.Max(1, Tone.Samples(beepSeconds, sampleRate));
        int step = beepSamples + Tone.Samples(gapSeconds, sampleRate);
        int length = Math.Min(maxSamples, (beeps - 1) * step + beepSamples);
        var y = new float[length];
        float[] env = Tone.AttackRelease(beepSamples, Tone.Samples(rng.Uniform(0.002, 0.005), sampleRate),
            Tone.Samples(rng.Uniform(0.005, 0.03), sampleRate));
        var hzPerSample = new double[beepSamples];
        for (int b = 0; b < beeps && b * step < length; b++)
        {
            Array.Fill(hzPerSample, twoPitch && b % 2 == 1 ? hz * secondRatio : hz);
            Tone.AddHarmonicTone(y, b * step, sampleRate, hzPerSample, harmonics, env);
        }
        return y;
    }
}
