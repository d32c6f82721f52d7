using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Glass break: a broadband high-passed noise transient (the impact), 15-35 exponentially decaying high partials
/// (1.8-7.2 kHz, shards ringing) starting at or shortly after the impact, and a few later tinkles (tiny noise bursts).
/// </summary>
public sealed class GlassBreakSynthesizer : IEventSynthesizer
{
    public string Name => "glass_break";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int length = Math.Clamp(Tone.Samples(rng.Uniform(0.5, 1.2), sampleRate), 1, maxSamples);
        var y = new float[length];

        int impact = Math.Min(length, Tone.Samples(rng.Uniform(0.005, 0.025), sampleRate));
        double impactDecay = Math.Exp(-1.0 / (rng.Uniform(0.004, 0.012) * sampleRate));
        var burst = new float[impact];
        double e = 1;
        for (int i = 0; i < impact; i++, e *= impactDecay) burst[i] = (float)(e * (2 * rng.NextDouble() - 1));
        Biquad.HighPass(sampleRate, rng.Uniform(800, 2000)).ProcessInPlace(burst);
        for (int i = 0; i < impact; i++) y[i] += 1.5f * burst[i];

        int partials = rng.Next(15, 36);
        double maxHz = Math.Min(7200, 0.45 * sampleRate);
        for (int p = 0; p < partials; p++)
        {
            int start = p < partials / 2 ? 0 : Tone.Samples(rng.Uniform(0, 0.4), sampleRate);
            Tone.AddDampedSine(y, start, sampleRate, rng.LogUniform(1800, maxHz), rng.Uniform(0.05, 0.3),
                rng.LogUniform(0.03, 0.3), rng.Uniform(0, 2 * Math.PI));
        }

        int tinkles = rng.Next(2, 7);
        for (int k = 0; k < tinkles; k++)
        {
            int start = Tone.Samples(rng.Uniform(0.1, 1.2), sampleRate);
            int n = Tone.Samples(rng.Uniform(0.002, 0.008), sampleRate);
            double amp = rng.Uniform(0.1, 0.4);
            var tinkle = Biquad.HighPass(sampleRate, 3000);
            for (int i = start; i < Math.Min(length, start + n); i++) y[i] += (float)(amp * tinkle.Process(2 * rng.NextDouble() - 1));
        }
        return y;
    }
}
