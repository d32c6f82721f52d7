using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Doorbell chime: 1-3 strikes ("ding", "ding-dong", "ding-dong-ding"), each a sum of exponentially decaying inharmonic
/// partials with the ratios of a free bar (1, 2.76, 5.40, 8.93, each jittered by up to 3 %), higher partials decaying faster.
/// </summary>
public sealed class DoorbellSynthesizer : IEventSynthesizer
{
    public string Name => "doorbell";

    private static readonly double[] BarRatios = [1.0, 2.76, 5.40, 8.93];

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        double f0 = rng.LogUniform(450, 1300);
        double tau0 = rng.Uniform(0.35, 1.1);
        int strikes = rng.Next(1, 4);
        double interval = rng.Uniform(0.35, 0.7);
        double[] stepDown = [0.794, 0.841, 0.749]; // major third, minor third, fourth below
        double dong = stepDown[rng.Next(stepDown.Length)];
        var ratios = new double[BarRatios.Length];
        var amps = new double[BarRatios.Length];
        for (int k = 0; k < ratios.Length; k++)
        {
            ratios[k] = BarRatios[k] * (1 + rng.Uniform(-0.03, 0.03));
            amps[k] = k == 0 ? 1.0 : rng.Uniform(0.05, 0.7) / k;
        }
        int strikeStep = Tone.Samples(interval, sampleRate);
        int length = Math.Min(maxSamples, (strikes - 1) * strikeStep + Tone.Samples(3 * tau0, sampleRate));
        var y = new float[length];
        for (int s = 0; s < strikes; s++)
        {
            int start = s * strikeStep;
            if (start >= length) break;
            double pitch = f0 * (s % 2 == 1 ? dong : 1.0);
            double strength = rng.Uniform(0.8, 1.0);
            for (int k = 0; k < ratios.Length; k++)
                Tone.AddDampedSine(y, start, sampleRate, pitch * ratios[k], strength * amps[k], tau0 / Math.Pow(ratios[k], 0.6));
        }
        return y;
    }
}
