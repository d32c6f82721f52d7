using AecOfa.Audio.Synthetic.Dsp;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticDspTests
{
    [Fact]
    public void SineTableIsWithinThreeTenMillionthsOfMathSin()
    {
        var rng = new Random(1);
        for (int i = 0; i < 20000; i++)
        {
            double x = (rng.NextDouble() - 0.5) * 200; // negative and many-cycle arguments too
            Assert.True(Math.Abs(SineTable.Sin(x) - Math.Sin(2 * Math.PI * x)) < 3e-7, $"sin at {x}");
            Assert.True(Math.Abs(SineTable.Cos(x) - Math.Cos(2 * Math.PI * x)) < 3e-7, $"cos at {x}");
        }
        Assert.Equal(0.0, SineTable.Sin(-1e-20), 12); // rounds to a whole cycle: must not read past the table
    }

    [Theory]
    [InlineData(440.0, 0.0, 0.3)]
    [InlineData(3117.0, 1.3, 0.05)]
    [InlineData(55.5, 2.0, 2.0)]
    public void ResonatorOscillatorsMatchTheClosedForm(double hz, double phase, double decaySeconds)
    {
        const int rate = 16000, start = 7, length = 33333;
        var damped = new float[start + length];
        Tone.AddDampedSine(damped, start, rate, hz, 0.7, decaySeconds, phase);
        var steady = new float[start + length];
        Tone.AddSine(steady, start, length, rate, hz, 0.7, phase);
        double r = Math.Exp(-1.0 / (decaySeconds * rate));
        for (int i = 0; i < length; i++)
        {
            double s = 0.7 * Math.Sin(phase + 2 * Math.PI * hz * i / rate);
            Assert.True(Math.Abs(steady[start + i] - s) < 1e-6, $"sine sample {i}");
            double d = i < 8 * decaySeconds * rate ? s * Math.Pow(r, i) : 0;
            Assert.True(Math.Abs(damped[start + i] - d) < 1e-6, $"damped sample {i}");
        }
        Assert.Equal(0f, steady[start - 1]);
    }

    [Fact]
    public void HarmonicToneMatchesTheSumOfSines()
    {
        const int rate = 16000, n = 4001;
        var hz = Enumerable.Range(0, n).Select(i => 300 + 0.2 * i).ToArray(); // a sweep
        double[] amps = [1.0, 0.5, 0.25, 0.125];
        float[] env = Enumerable.Range(0, n).Select(i => (float)(i / (double)n)).ToArray();
        var y = new float[n];
        Tone.AddHarmonicTone(y, 0, rate, hz, amps, env);
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double expected = 0;
            for (int h = 0; h < amps.Length; h++) expected += amps[h] * Math.Sin(2 * Math.PI * (h + 1) * phase);
            Assert.True(Math.Abs(y[i] - expected * env[i]) < 1e-5, $"sample {i}: {y[i]} vs {expected * env[i]}");
            phase += hz[i] / rate;
        }
    }
}
