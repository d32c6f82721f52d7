using System.Numerics;
using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Tests.Dsp;

public sealed class ComplexFftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(512)]
    public void MatchesNaiveFloat64DftAndMathNet(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 0.7)).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1.2)).ToArray();
        var rr = new double[n];
        var ri = new double[n];
        ComplexFft.ReferenceDft(re.Select(v => (double)v).ToArray(), im.Select(v => (double)v).ToArray(), rr, ri);
        var z = re.Zip(im, (a, b) => new Complex(a, b)).ToArray();
        MathNet.Numerics.IntegralTransforms.Fourier.Forward(z, MathNet.Numerics.IntegralTransforms.FourierOptions.Matlab);
        new ComplexFft(n).Forward(re, im);
        double peak = z.Max(c => c.Magnitude);
        for (int k = 0; k < n; k++)
        {
            Assert.True(Math.Abs(rr[k] - z[k].Real) < 1e-9 * peak && Math.Abs(ri[k] - z[k].Imaginary) < 1e-9 * peak, $"reference bin {k}");
            Assert.True(Math.Abs(re[k] - rr[k]) < 1e-5 * peak && Math.Abs(im[k] - ri[k]) < 1e-5 * peak, $"n={n} bin {k}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(100)]
    [InlineData(257)]
    public void BluesteinMatchesNaiveFloat64Dft(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 0.7)).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1.2)).ToArray();
        var rr = new double[n];
        var ri = new double[n];
        ComplexFft.ReferenceDft(re.Select(v => (double)v).ToArray(), im.Select(v => (double)v).ToArray(), rr, ri);
        double peak = Enumerable.Range(0, n).Max(k => Math.Sqrt(rr[k] * rr[k] + ri[k] * ri[k]));
        var outRe = new float[n];
        var outIm = new float[n];
        new BluesteinDft(n).Forward(re, im, outRe, outIm, n);
        for (int k = 0; k < n; k++)
        {
            Assert.True(Math.Abs(outRe[k] - rr[k]) < 1e-5 * peak && Math.Abs(outIm[k] - ri[k]) < 1e-5 * peak, $"n={n} bin {k}");
        }

        // In place (outputs aliasing the inputs) gives the same result.
        new BluesteinDft(n).Forward(re, im, re, im, n);
        Assert.Equal(outRe, re);
        Assert.Equal(outIm, im);
    }

    [Fact]
    public void RejectsNonPowersOfTwoAndWrongLengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComplexFft(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComplexFft(0));
        Assert.Throws<ArgumentException>(() => new ComplexFft(8).Forward(new float[8], new float[4]));
    }
}
