using System.Numerics;
using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Tests.Dsp;

public sealed class RealFftTests
{
    // Odd-looking signals: random values plus a DC offset, a chirp and an impulse, so no bin is trivially zero.
    private static float[] Signal(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int t = 0; t < n; t++)
        {
            x[t] = (float)(rng.NextDouble() * 2 - 1 + 0.3 + 0.5 * Math.Sin(0.37 * t * t / n));
        }

        x[n / 3] += 2.5f;
        return x;
    }

    // Powers of two (packed path) and other sizes (Bluestein path).
    public static TheoryData<int> Sizes => new() { 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 3, 5, 6, 7, 10, 33, 100, 400, 1000 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MatchesNaiveFloat64Dft(int n)
    {
        var x = Signal(n, n);
        var fft = new RealFft(n);
        var re = new float[fft.BinCount];
        var im = new float[fft.BinCount];
        fft.Forward(x, re, im);
        var rr = new double[n / 2 + 1];
        var ri = new double[n / 2 + 1];
        RealFft.ReferenceDft(x.Select(v => (double)v).ToArray(), rr, ri);
        double scale = Math.Sqrt(x.Sum(v => (double)v * v) * n); // |X| is at most sqrt(n * energy)
        for (int k = 0; k <= n / 2; k++)
        {
            Assert.True(Math.Abs(re[k] - rr[k]) < 1e-5 * scale, $"n={n} re[{k}] {re[k]} vs {rr[k]}");
            Assert.True(Math.Abs(im[k] - ri[k]) < 1e-5 * scale, $"n={n} im[{k}] {im[k]} vs {ri[k]}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MatchesMathNetFourier(int n)
    {
        var x = Signal(n, 100 + n);
        var fft = new RealFft(n);
        var re = new float[fft.BinCount];
        var im = new float[fft.BinCount];
        fft.Forward(x, re, im);
        var z = x.Select(v => new Complex(v, 0)).ToArray();
        MathNet.Numerics.IntegralTransforms.Fourier.Forward(z, MathNet.Numerics.IntegralTransforms.FourierOptions.Matlab);
        double peak = z.Max(c => c.Magnitude);
        for (int k = 0; k <= n / 2; k++)
        {
            Assert.True(Math.Abs(re[k] - z[k].Real) <= 1e-5 * peak + 1e-6, $"n={n} re[{k}]");
            Assert.True(Math.Abs(im[k] - z[k].Imaginary) <= 1e-5 * peak + 1e-6, $"n={n} im[{k}]");
        }
    }

    [Fact]
    public void ReferenceDftAgreesWithMathNet()
    {
        // The reference itself is checked once against an independent float64 FFT.
        var x = Signal(33, 5).Select(v => (double)v).ToArray();
        var rr = new double[17];
        var ri = new double[17];
        RealFft.ReferenceDft(x, rr, ri);
        var z = x.Select(v => new Complex(v, 0)).ToArray();
        MathNet.Numerics.IntegralTransforms.Fourier.Forward(z, MathNet.Numerics.IntegralTransforms.FourierOptions.Matlab);
        for (int k = 0; k < 17; k++)
        {
            Assert.True(Math.Abs(z[k].Real - rr[k]) < 1e-10);
            Assert.True(Math.Abs(z[k].Imaginary - ri[k]) < 1e-10);
        }
    }

    [Fact]
    public void RejectsBadSizesAndBuffers()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(0));
        Assert.True(new RealFft(512).IsPowerOfTwo);
        Assert.False(new RealFft(400).IsPowerOfTwo);
        var fft = new RealFft(8);
        Assert.Throws<ArgumentException>(() => fft.Forward(new float[7], new float[5], new float[5]));
        Assert.Throws<ArgumentException>(() => fft.Forward(new float[8], new float[4], new float[5]));
    }
}
