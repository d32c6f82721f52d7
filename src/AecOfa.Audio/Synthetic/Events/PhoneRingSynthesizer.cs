using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Phone ring: dual-tone bursts (two sines 7-35 % apart, like 400+450 Hz or 440+480 Hz ring tones), either a UK-style
/// double burst (0.4 s on, 0.2 s off, 0.4 s on) or one long burst, optionally with an electronic 15-25 Hz trill.
/// </summary>
public sealed class PhoneRingSynthesizer : IEventSynthesizer
{
    public string Name => "phone_ring";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        double f1 = rng.Uniform(350, 950), f2 = f1 * rng.Uniform(1.07, 1.35);
        double[] harmonics = [1.0, rng.Uniform(0, 0.2), rng.Uniform(0, 0.15)];
        bool trill = rng.Chance(0.5);
        double trillHz = rng.Uniform(15, 25);
        var bursts = new List<(int Start, int Length)>();
        if (rng.Chance(0.5))
        {
            int on = Tone.Samples(rng.Uniform(0.33, 0.45), sampleRate), gap = Tone.Samples(rng.Uniform(0.15, 0.25), sampleRate);
            bursts.Add((0, on));
            bursts.Add((on + gap, on));
        }
        else
        {
            bursts.Add((0, Tone.Samples(rng.Uniform(0.8, 2.0), sampleRate)));
        }
        int length = Math.Min(maxSamples, bursts[^1].Start + bursts[^1].Length);
        var y = new float[length];
        int ramp = Tone.Samples(0.01, sampleRate);
        foreach ((int start, int burstLength) in bursts)
        {
            if (start >= length) break;
            float[] env = Tone.AttackRelease(burstLength, ramp, ramp);
            if (trill)
            {
                for (int i = 0; i < env.Length; i++)
                    env[i] *= (float)(0.55 + 0.45 * Math.Clamp(4 * SineTable.Sin(trillHz * i / sampleRate), -1, 1)); // soft square: no clicks
            }
            var hz = new double[burstLength];
            Array.Fill(hz, f1);
            Tone.AddHarmonicTone(y, start, sampleRate, hz, harmonics, env);
            Array.Fill(hz, f2);
            Tone.AddHarmonicTone(y, start, sampleRate, hz, harmonics, env);
        }
        return y;
    }
}
