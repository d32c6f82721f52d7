using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Footsteps: 2-5 steps at a walking cadence (0.35-0.65 s apart, 5 % jitter), each a low thud (damped 45-110 Hz sine
/// plus low-passed noise burst) with a weaker heel-toe second hit 30-70 ms later, and on hard floors a faint scuff.
/// </summary>
public sealed class FootstepsSynthesizer : IEventSynthesizer
{
    public string Name => "footsteps";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int steps = rng.Next(2, 6);
        double interval = rng.Uniform(0.35, 0.65);
        double thudHz = rng.Uniform(45, 110), thudTau = rng.Uniform(0.02, 0.06), cutoff = rng.Uniform(150, 500);
        bool hardFloor = rng.Chance(0.4);
        var starts = new int[steps];
        double t = 0;
        for (int s = 0; s < steps; s++)
        {
            starts[s] = Tone.Samples(t, sampleRate);
            t += interval * rng.Uniform(0.95, 1.05);
        }
        int length = Math.Clamp(starts[^1] + Tone.Samples(0.2, sampleRate), 1, maxSamples);
        var y = new float[length];
        foreach (int start in starts)
        {
            if (start >= length) break;
            double amp = rng.Uniform(0.6, 1.0);
            int toe = start + Tone.Samples(rng.Uniform(0.03, 0.07), sampleRate);
            double toeAmp = amp * rng.Uniform(0.3, 0.7);
            foreach ((int hit, double a) in new[] { (start, amp), (toe, toeAmp) })
            {
                if (hit >= length) continue;
                Tone.AddDampedSine(y, hit, sampleRate, thudHz * rng.Uniform(0.9, 1.1), a, thudTau);
                int n = Math.Min(length - hit, Tone.Samples(rng.Uniform(0.01, 0.03), sampleRate));
                var lowPass = Biquad.LowPass(sampleRate, cutoff);
                double decay = Math.Exp(-4.0 / Math.Max(1, n)), e = 3 * a;
                for (int i = 0; i < n; i++, e *= decay) y[hit + i] += (float)(e * lowPass.Process(2 * rng.NextDouble() - 1));
            }
            if (hardFloor)
            {
                int n = Math.Min(length - start, Tone.Samples(rng.Uniform(0.04, 0.1), sampleRate));
                var highPass = Biquad.HighPass(sampleRate, 2000);
                double level = amp * rng.Uniform(0.05, 0.15);
                for (int i = 0; i < n; i++) y[start + i] += (float)(level * (1 - i / (double)n) * highPass.Process(2 * rng.NextDouble() - 1));
            }
        }
        return y;
    }
}
