using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Tests.Dsp;

public sealed class ResamplerTests
{
    private static float[] Tone(int rate, double hz, int count, double amplitude = 0.5, double phase = 0.3) =>
        Enumerable.Range(0, count).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate + phase))).ToArray();

    /// <summary>Least-squares fit of a*sin + b*cos + c at <paramref name="hz"/>; returns amplitude and residual RMS.</summary>
    private static (double Amplitude, double ResidualRms) FitTone(ReadOnlySpan<float> y, int rate, double hz)
    {
        var m = new double[3, 3];
        var v = new double[3];
        for (int i = 0; i < y.Length; i++)
        {
            double w = 2 * Math.PI * hz * i / rate;
            double[] basis = [Math.Sin(w), Math.Cos(w), 1];
            for (int r = 0; r < 3; r++)
            {
                v[r] += basis[r] * y[i];
                for (int c = 0; c < 3; c++)
                {
                    m[r, c] += basis[r] * basis[c];
                }
            }
        }

        var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(m)
            .Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(v));
        double ss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double w = 2 * Math.PI * hz * i / rate;
            double e = y[i] - (x[0] * Math.Sin(w) + x[1] * Math.Cos(w) + x[2]);
            ss += e * e;
        }

        return (Math.Sqrt(x[0] * x[0] + x[1] * x[1]), Math.Sqrt(ss / y.Length));
    }

    private static double Rms(ReadOnlySpan<float> y)
    {
        double s = 0;
        foreach (float v in y)
        {
            s += (double)v * v;
        }

        return Math.Sqrt(s / y.Length);
    }

    public static TheoryData<int, int> Ratios => new()
    {
        { 44100, 16000 }, { 48000, 16000 }, { 8000, 16000 }, { 22050, 16000 }, { 32000, 16000 }, { 11025, 16000 },
    };

    [Theory]
    [MemberData(nameof(Ratios))]
    public void PassbandToneKeepsItsAmplitudeAndNothingElseAppears(int from, int to)
    {
        var resampler = new Resampler(from, to);
        double nyquist = Math.Min(from, to) / 2.0;
        foreach (double hz in new[] { 440.0, 0.85 * nyquist })
        {
            var y = resampler.Process(Tone(from, hz, from / 4)); // 0.25 s
            var inner = y.AsSpan(resampler.HalfWidth * to / from + 2, y.Length - 2 * (resampler.HalfWidth * to / from + 2));
            var (amplitude, residual) = FitTone(inner, to, hz);
            Assert.InRange(20 * Math.Log10(amplitude / 0.5), -0.1, 0.1);
            // Aliases or images would remain in the residual: at least 60 dB below the tone.
            Assert.True(20 * Math.Log10(residual / (0.5 / Math.Sqrt(2))) < -60, $"{hz} Hz residual {residual}");
        }
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 16000)]
    [InlineData(22050, 16000)]
    [InlineData(32000, 16000)]
    public void ToneAboveNewNyquistIsAttenuatedBy60Db(int from, int to)
    {
        var resampler = new Resampler(from, to);
        foreach (double hz in new[] { 1.01 * to / 2, 1.3 * to / 2, 0.45 * from })
        {
            var y = resampler.Process(Tone(from, hz, from / 4));
            int edge = resampler.HalfWidth * to / from + 2;
            double db = 20 * Math.Log10(Rms(y.AsSpan(edge, y.Length - 2 * edge)) / (0.5 / Math.Sqrt(2)));
            Assert.True(db < -60, $"{from}->{to}: {hz} Hz only {db:F1} dB down");
        }
    }

    [Theory]
    [InlineData(44100, 16000, 1)]
    [InlineData(8000, 16000, 33)]
    [InlineData(16000, 44100, 7)]
    [InlineData(48000, 16000, 250)]
    [InlineData(44100, 16001, 60)] // coprime: phases computed on the fly
    public void MatchesNaiveFloat64Reference(int from, int to, int length)
    {
        var rng = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var resampler = new Resampler(from, to);
        var fast = resampler.Process(x);
        var reference = resampler.ProcessReference(x);
        Assert.Equal(reference.Length, fast.Length);
        for (int i = 0; i < fast.Length; i++)
        {
            Assert.True(Math.Abs(fast[i] - reference[i]) < 1e-5, $"sample {i}: {fast[i]} vs {reference[i]}");
        }
    }

    [Fact]
    public void LengthsRatioAndDcGain()
    {
        var r = new Resampler(44100, 16000);
        Assert.Equal((160, 441), (r.Up, r.Down));
        Assert.Equal(16000, r.OutputLength(44100));
        Assert.Equal(1, r.OutputLength(1));
        Assert.Equal(0, r.OutputLength(0));
        Assert.Empty(r.Process(ReadOnlySpan<float>.Empty));
        var dc = r.Process(Enumerable.Repeat(0.25f, 4410).ToArray());
        for (int i = r.HalfWidth; i < dc.Length - r.HalfWidth; i++)
        {
            Assert.Equal(0.25f, dc[i], 5);
        }

        var same = new Resampler(16000, 16000).Process(new AudioClip([1f, 2f], 16000));
        Assert.Equal(new[] { 1f, 2f }, same.Samples);
        Assert.Throws<ArgumentException>(() => r.Process(new AudioClip([1f], 8000)));
        Assert.Throws<ArgumentException>(() => r.Process(new float[10], new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 16000));
    }
}
