using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Running water (tap, shower): band-passed noise (centre 400-2500 Hz, broad Q) with slow random amplitude modulation
/// (three 1.5-12 Hz components) plus randomly timed bubbles (damped sines chirping upward, 15-60 per second).
/// </summary>
public sealed class RunningWaterSynthesizer : IEventSynthesizer
{
    public string Name => "running_water";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        int length = Math.Clamp(Tone.Samples(rng.Uniform(0.7, 2.5), sampleRate), 1, maxSamples);
        float[] y = Noise.White(rng, length);
        var band = Biquad.BandPass(sampleRate, rng.LogUniform(400, 2500), rng.Uniform(0.5, 1.5));
        band.ProcessInPlace(y);

        var modHz = new double[3];
        var modAmp = new double[3];
        var modPhase = new double[3];
        for (int j = 0; j < 3; j++) { modHz[j] = rng.Uniform(1.5, 12); modAmp[j] = rng.Uniform(0.05, 0.2); modPhase[j] = rng.NextDouble(); }
        int ramp = Tone.Samples(0.05, sampleRate);
        float[] env = Tone.AttackRelease(length, ramp, ramp);
        for (int i = 0; i < length; i++)
        {
            double m = 1;
            for (int j = 0; j < 3; j++) m += modAmp[j] * SineTable.Sin(modHz[j] * i / sampleRate + modPhase[j]);
            y[i] *= (float)(m * env[i]);
        }

        double rate = rng.Uniform(15, 60);
        double t = 0;
        while (true)
        {
            t += -Math.Log(1 - rng.NextDouble()) / rate; // Poisson arrivals
            int start = Tone.Samples(t, sampleRate);
            if (start >= length) break;
            double f0 = rng.LogUniform(600, 3500), tau = rng.Uniform(0.004, 0.02), amp = rng.Uniform(0.05, 0.25);
            double chirp = rng.Uniform(5, 30); // relative frequency rise per second (Minnaert bubble)
            int n = Math.Min(length - start, Tone.Samples(6 * tau, sampleRate));
            double phase = 0, e = amp, decay = Math.Exp(-1.0 / (tau * sampleRate));
            for (int i = 0; i < n; i++, e *= decay)
            {
                y[start + i] += (float)(e * SineTable.Sin(phase) * env[start + i]);
                phase += Math.Min(f0 * (1 + chirp * i / sampleRate), 0.45 * sampleRate) / sampleRate; // cycles
            }
        }
        return y;
    }
}
