using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Baby cry: 1-2 long (0.5-1.3 s) voiced segments separated by a short inhale gap, f0 300-600 Hz with a rise-fall
/// contour and 5-10 Hz vibrato (1-5 % depth), bright harmonics through high formants (F1 900-1400, F2 2200-3500 Hz).
/// Confusable with dog_bark (same source-filter model).
/// </summary>
public sealed class BabyCrySynthesizer : IEventSynthesizer
{
    public string Name => "baby_cry";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int segments = rng.Next(1, 3);
        double f0 = rng.Uniform(300, 600);
        double rolloff = rng.Uniform(0.8, 1.5);
        (double, double, double)[] formants =
        [
            (rng.Uniform(900, 1400), rng.Uniform(3, 6), 1.0),
            (rng.Uniform(2200, 3500), rng.Uniform(4, 8), 0.5),
        ];
        var plan = new List<(int Start, int Length)>();
        double t = 0;
        for (int s = 0; s < segments; s++)
        {
            int n = Tone.Samples(rng.Uniform(0.5, 1.3), sampleRate);
            plan.Add((Tone.Samples(t, sampleRate), n));
            t += n / (double)sampleRate + rng.Uniform(0.1, 0.3);
        }
        int length = Math.Clamp(plan[^1].Start + plan[^1].Length, 1, maxSamples);
        var y = new float[length];
        double[] harmonics = VoiceSource.Harmonics(15, rolloff);
        foreach ((int start, int fullLength) in plan)
        {
            if (start >= length) break;
            int n = Math.Min(fullLength, length - start); // a cut segment need not be synthesized past the clip end
            double segF0 = f0 * rng.Uniform(0.9, 1.1);
            double contour = rng.Uniform(0.05, 0.25);
            double vibratoHz = rng.Uniform(5, 10), vibratoDepth = rng.Uniform(0.01, 0.05), vibratoPhase = rng.NextDouble();
            var hz = new double[n];
            for (int i = 0; i < n; i++)
            {
                double x = i / (double)fullLength;
                hz[i] = segF0 * (1 + contour * SineTable.Sin(0.5 * x))
                        * (1 + vibratoDepth * SineTable.Sin(vibratoHz * i / sampleRate + vibratoPhase));
            }
            float[] env = Tone.AttackRelease(n, Tone.Samples(rng.Uniform(0.03, 0.08), sampleRate), Tone.Samples(rng.Uniform(0.06, 0.12), sampleRate));
            VoiceSource.AddVoiced(rng, y, start, sampleRate, hz, harmonics, env, rng.Uniform(0.02, 0.1), formants);
        }
        return y;
    }
}
