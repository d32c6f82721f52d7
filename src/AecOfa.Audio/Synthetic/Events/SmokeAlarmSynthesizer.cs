using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>
/// Smoke alarm: piezo beeps near 3.1 kHz in the ISO 8201 / NFPA 72 "T3" pattern (three 0.5 s pulses 0.5 s apart, then
/// 1.5 s of silence, repeated). The event may begin at any pulse of a group. Confusable with appliance_beep, whose
/// beeps are shorter and sit in an overlapping frequency range.
/// </summary>
public sealed class SmokeAlarmSynthesizer : IEventSynthesizer
{
    public string Name => "smoke_alarm";

    public float[] Generate(Random rng, int sampleRate, int maxSamples)
    {
        double hz = rng.Uniform(2950, 3300);
        double on = rng.Uniform(0.45, 0.55), off = rng.Uniform(0.45, 0.55), groupPause = rng.Uniform(1.4, 1.6);
        int pulseInGroup = rng.Next(3);
        int pulses = rng.Next(1, 7);
        // A piezo horn is square-ish: some 2nd/3rd harmonic (dropped automatically above Nyquist).
        double[] harmonics = [1.0, rng.Uniform(0, 0.25), rng.Uniform(0.1, 0.4)];
        double drift = rng.Uniform(-0.004, 0.004); // slow pitch drift across a pulse as the horn warms

        var pulseStarts = new List<int>();
        double t = 0;
        for (int p = 0; p < pulses; p++)
        {
            int start = Tone.Samples(t, sampleRate);
            if (start >= maxSamples) break;
            pulseStarts.Add(start);
            t += on + (pulseInGroup == 2 ? groupPause : off);
            pulseInGroup = (pulseInGroup + 1) % 3;
        }
        int onSamples = Math.Max(1, Tone.Samples(on, sampleRate));
        int length = Math.Min(maxSamples, pulseStarts[^1] + onSamples);
        var y = new float[length];
        int ramp = Tone.Samples(0.003, sampleRate);
        float[] env = Tone.AttackRelease(onSamples, ramp, ramp);
        var hzPerSample = new double[onSamples];
        foreach (int start in pulseStarts)
        {
            double pulseHz = hz * (1 + rng.Uniform(-0.003, 0.003));
            for (int i = 0; i < onSamples; i++) hzPerSample[i] = pulseHz * (1 + drift * i / onSamples);
            Tone.AddHarmonicTone(y, start, sampleRate, hzPerSample, harmonics, env);
        }
        return y;
    }
}
