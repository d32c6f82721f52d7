using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Events;

/// <summary>Shared source-filter model of vocalizations (dog_bark, baby_cry): a harmonic source plus breath noise through formant band-passes.</summary>
internal static class VoiceSource
{
    /// <summary>Harmonic amplitudes 1/h^rolloff for h = 1..count.</summary>
    public static double[] Harmonics(int count, double rolloff)
    {
        var a = new double[count];
        for (int h = 0; h < count; h++) a[h] = 1.0 / Math.Pow(h + 1, rolloff);
        return a;
    }

    /// <summary>
    /// Renders the source (harmonic tone following <paramref name="hz"/> times <paramref name="envelope"/>, plus
    /// <paramref name="noiseLevel"/> of white noise under the same envelope), filters it through parallel formant
    /// band-passes and adds the result into <paramref name="destination"/> at <paramref name="start"/>.
    /// </summary>
    public static void AddVoiced(Random rng, Span<float> destination, int start, double sampleRate, double[] hz,
        double[] harmonics, float[] envelope, double noiseLevel, (double Hz, double Q, double Gain)[] formants)
    {
        int n = Math.Min(hz.Length, destination.Length - start);
        if (n <= 0) return;
        var source = new float[hz.Length];
        Tone.AddHarmonicTone(source, 0, sampleRate, hz, harmonics, envelope);
        for (int i = 0; i < source.Length; i++) source[i] += (float)(noiseLevel * envelope[i] * (2 * rng.NextDouble() - 1));
        Span<float> target = destination.Slice(start, n);
        ReadOnlySpan<float> src = source.AsSpan(0, n);
        foreach ((double f, double q, double gain) in formants)
            Biquad.BandPass(sampleRate, f, q).ProcessAdd(src, target, (float)gain);
        for (int i = 0; i < n; i++) target[i] += 0.1f * src[i]; // some unfiltered source keeps the pitch audible
    }
}
