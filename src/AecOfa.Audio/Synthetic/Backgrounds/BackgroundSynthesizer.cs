using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Synthetic.Backgrounds;

/// <summary>
/// Renders a <see cref="BackgroundRecipe"/>: pink or brown noise, or babble (3-6 "talkers", each white noise through two
/// formant band-passes that jump every syllable, gated by a 3-6 Hz syllabic envelope), plus optional mains hum
/// (50/60 Hz and up to 8 harmonics). The result is scaled to an RMS of 0.1 (the mixer sets event levels relative to it).
/// </summary>
public static class BackgroundSynthesizer
{
    public const double TargetRms = 0.1;

    /// <summary>Draws a background recipe: a uniformly chosen bed; hum (50 or 60 Hz, +-0.3 %) half of the time at -15..0 dB.</summary>
    public static BackgroundRecipe Sample(Random rng)
    {
        var kind = (BackgroundKind)rng.Next(3);
        double humHz = rng.NextDouble() < 0.5 ? (rng.Next(2) == 0 ? 50.0 : 60.0) * rng.Uniform(0.997, 1.003) : 0;
        double humDb = rng.Uniform(-15, 0);
        return new BackgroundRecipe(kind, humHz, humDb, rng.Next());
    }

    public static float[] Render(BackgroundRecipe recipe, int sampleRate, int length)
    {
        var rng = new Random(recipe.Seed);
        float[] bed = recipe.Kind switch
        {
            BackgroundKind.PinkNoise => Noise.Pink(rng, length),
            BackgroundKind.BrownNoise => Noise.Brown(rng, length),
            BackgroundKind.Babble => Babble(rng, sampleRate, length),
            _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe.Kind, "Unknown background kind."),
        };
        ScaleToRms(bed, 1.0);
        if (recipe.HumHz > 0)
        {
            float[] hum = Hum(rng, sampleRate, length, recipe.HumHz);
            ScaleToRms(hum, Math.Pow(10, recipe.HumLevelDb / 20));
            for (int i = 0; i < length; i++) bed[i] += hum[i];
        }
        ScaleToRms(bed, TargetRms);
        return bed;
    }

    private static float[] Babble(Random rng, int sampleRate, int length)
    {
        var y = new float[length];
        int talkers = rng.Next(3, 7);
        var noise = new float[length];
        for (int talker = 0; talker < talkers; talker++)
        {
            Noise.White(rng, noise);
            double level = rng.Uniform(0.5, 1.0);
            int i = 0;
            while (i < length)
            {
                // One syllable: new vowel formants, raised-cosine envelope, short pause after.
                int syllable = Math.Min(length - i, Tone.Samples(rng.Uniform(0.12, 0.3), sampleRate));
                int pause = Tone.Samples(rng.Uniform(0.02, 0.12), sampleRate);
                var f1 = Biquad.BandPass(sampleRate, rng.Uniform(300, 900), rng.Uniform(3, 8));
                var f2 = Biquad.BandPass(sampleRate, rng.Uniform(900, 2600), rng.Uniform(4, 10));
                double syllableLevel = level * rng.Uniform(0.4, 1.0);
                for (int k = 0; k < syllable; k++)
                {
                    double env = 0.5 - 0.5 * SineTable.Cos((double)k / syllable);
                    double x = noise[i + k];
                    y[i + k] += (float)(syllableLevel * env * (f1.Process(x) + 0.6 * f2.Process(x)));
                }
                i += syllable + pause;
            }
        }
        return y;
    }

    private static float[] Hum(Random rng, int sampleRate, int length, double hz)
    {
        var y = new float[length];
        double slope = rng.Uniform(0.5, 1.5);
        for (int h = 1; h <= 8 && h * hz < 0.45 * sampleRate; h++)
        {
            // Rectifier/transformer buzz puts much energy at even harmonics (100/120 Hz); each harmonic gets a random level.
            double amp = rng.Uniform(0.2, 1.0) / Math.Pow(h, slope);
            Tone.AddSine(y, 0, length, sampleRate, h * hz, amp, rng.Uniform(0, 2 * Math.PI));
        }
        return y;
    }

    private static void ScaleToRms(float[] x, double rms)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        if (sum <= 0) return;
        float gain = (float)(rms / Math.Sqrt(sum / x.Length));
        for (int i = 0; i < x.Length; i++) x[i] *= gain;
    }
}
