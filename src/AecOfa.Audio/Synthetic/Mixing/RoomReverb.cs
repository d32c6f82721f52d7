using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Mixing;

/// <summary>
/// Synthetic room: the late-reverberation impulse response is white noise under an exponential envelope that falls
/// 60 dB in <see cref="Rt60Seconds"/> (truncated at -60 dB), after a 2-10 ms pre-delay, low-passed (air and wall absorption)
/// and scaled to unit energy, so the wet path has about the dry path's power.
/// </summary>
public sealed record RoomReverb(double Rt60Seconds, double PreDelaySeconds, double DampingHz, int Seed)
{
    public static RoomReverb Sample(Random rng, double minRt60, double maxRt60) =>
        new(rng.Uniform(minRt60, maxRt60), rng.Uniform(0.002, 0.01), rng.Uniform(3000, 7000), rng.Next());

    public float[] ImpulseResponse(int sampleRate)
    {
        var rng = new Random(Seed);
        int preDelay = Tone.Samples(PreDelaySeconds, sampleRate);
        int tail = Math.Max(1, Tone.Samples(Rt60Seconds, sampleRate));
        var h = new float[preDelay + tail];
        double decay = Math.Pow(10, -3.0 / (Rt60Seconds * sampleRate)); // amplitude: -60 dB after RT60
        double e = 1;
        for (int i = 0; i < tail; i++, e *= decay) h[preDelay + i] = (float)(e * (2 * rng.NextDouble() - 1));
        Biquad.LowPass(sampleRate, DampingHz).ProcessInPlace(h);
        double energy = 0;
        foreach (float v in h) energy += (double)v * v;
        float gain = (float)(1 / Math.Sqrt(energy));
        for (int i = 0; i < h.Length; i++) h[i] *= gain;
        return h;
    }

    /// <summary>
    /// Writes sqrt(1 - wet) * dry + sqrt(wet) * (dry * IR) into <paramref name="output"/> (its length decides how much of
    /// the tail is kept). <paramref name="wet"/> in [0, 1] stands for the source's distance from the microphone.
    /// </summary>
    internal static void Apply(ReadOnlySpan<float> dry, FftConvolver room, double wet, Span<float> output)
    {
        room.Convolve(dry, output);
        float wetGain = (float)Math.Sqrt(wet), dryGain = (float)Math.Sqrt(1 - wet);
        int n = Math.Min(dry.Length, output.Length);
        for (int i = 0; i < output.Length; i++) output[i] *= wetGain;
        for (int i = 0; i < n; i++) output[i] += dryGain * dry[i];
    }
}
