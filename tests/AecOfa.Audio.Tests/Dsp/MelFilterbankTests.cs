using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Tests.Dsp;

public sealed class MelFilterbankTests
{
    // Independent statements of the two scales.
    private static double HtkMel(double f) => 2595 * Math.Log10(1 + f / 700);

    private static double HtkHz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);

    private static double SlaneyMel(double f) => f < 1000 ? 3 * f / 200 : 15 + 27 * Math.Log(f / 1000) / Math.Log(6.4);

    private static double SlaneyHz(double m) => m < 15 ? 200 * m / 3 : 1000 * Math.Pow(6.4, (m - 15) / 27);

    [Fact]
    public void ScalesHaveTheirDefiningValues()
    {
        Assert.Equal(15, Mel.HzToMel(1000, MelScale.Slaney), 12);
        Assert.Equal(42, Mel.HzToMel(6400, MelScale.Slaney), 12);
        Assert.Equal(7.5, Mel.HzToMel(500, MelScale.Slaney), 12);
        Assert.Equal(HtkMel(1000), Mel.HzToMel(1000, MelScale.Htk), 9);
        foreach (var scale in new[] { MelScale.Htk, MelScale.Slaney })
        {
            foreach (double f in new[] { 0.0, 50, 999.9, 1000, 1234.5, 8000, 22050 })
            {
                Assert.Equal(f, Mel.MelToHz(Mel.HzToMel(f, scale), scale), 7);
            }
        }
    }

    [Theory]
    [InlineData(MelScale.Htk, 64, 50.0, 8000.0)]
    [InlineData(MelScale.Slaney, 64, 50.0, 8000.0)]
    [InlineData(MelScale.Slaney, 13, 0.0, 4000.0)]
    [InlineData(MelScale.Htk, 7, 300.0, 3000.0)]
    public void BandEdgesAreEquallySpacedInMel(MelScale scale, int mels, double fmin, double fmax)
    {
        var fb = new MelFilterbank(16000, 512, mels, fmin, fmax, scale);
        Func<double, double> toMel = scale == MelScale.Htk ? HtkMel : SlaneyMel;
        Func<double, double> toHz = scale == MelScale.Htk ? HtkHz : SlaneyHz;
        double lo = toMel(fmin), hi = toMel(fmax);
        Assert.Equal(mels + 2, fb.BandEdgesHz.Length);
        for (int i = 0; i < mels + 2; i++)
        {
            double expected = toHz(lo + (hi - lo) * i / (mels + 1));
            Assert.True(Math.Abs(expected - fb.BandEdgesHz[i]) < 1e-6 * Math.Max(1, expected), $"edge {i}");
        }

        Assert.Equal(fmin, fb.BandEdgesHz[0], 6);
        Assert.Equal(fmax, fb.BandEdgesHz[mels + 1], 6);
    }

    [Theory]
    [InlineData(MelScale.Htk, MelNormalization.None)]
    [InlineData(MelScale.Slaney, MelNormalization.None)]
    [InlineData(MelScale.Slaney, MelNormalization.Slaney)]
    [InlineData(MelScale.Htk, MelNormalization.Slaney)]
    public void FiltersAreNonNegativeTrianglesOnTheirEdges(MelScale scale, MelNormalization norm)
    {
        const int rate = 16000, nfft = 512, mels = 40;
        var fb = new MelFilterbank(rate, nfft, mels, 50, 8000, scale, norm);
        var dense = fb.ToDense();
        for (int b = 0; b < mels; b++)
        {
            double lo = fb.BandEdgesHz[b], mid = fb.BandEdgesHz[b + 1], hi = fb.BandEdgesHz[b + 2];
            double areaNorm = norm == MelNormalization.Slaney ? 2 / (hi - lo) : 1;
            int peak = 0;
            for (int k = 0; k < fb.BinCount; k++)
            {
                double f = k * (double)rate / nfft;
                double triangle = f <= lo || f >= hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
                float w = dense[b * fb.BinCount + k];
                Assert.True(w >= 0);
                Assert.True(Math.Abs(w - triangle * areaNorm) < 1e-6 * areaNorm, $"band {b} bin {k}");
                if (w > dense[b * fb.BinCount + peak])
                {
                    peak = k;
                }
            }

            // Rises to one peak, then falls.
            for (int k = 1; k < fb.BinCount; k++)
            {
                float prev = dense[b * fb.BinCount + k - 1], cur = dense[b * fb.BinCount + k];
                Assert.True(k <= peak ? cur >= prev : cur <= prev, $"band {b} not triangular at bin {k}");
            }

            Assert.True(dense[b * fb.BinCount + peak] <= areaNorm + 1e-7);
        }
    }

    [Fact]
    public void SparseApplyMatchesDenseFloat64Reference()
    {
        var fb = new MelFilterbank(22050, 1024, 37, 20, 11025, MelScale.Slaney, MelNormalization.Slaney);
        var rng = new Random(7);
        var power = Enumerable.Range(0, fb.BinCount).Select(_ => (float)(rng.NextDouble() * 10)).ToArray();
        var mel = new float[37];
        fb.Apply(power, mel);
        var reference = fb.ApplyReference(power.Select(v => (double)v).ToArray());
        for (int b = 0; b < 37; b++)
        {
            Assert.True(Math.Abs(mel[b] - reference[b]) < 1e-5 * Math.Abs(reference[b]), $"band {b}");
        }
    }

    [Fact]
    public void BandsNarrowerThanABinAreEmptyAndOutputZero()
    {
        var fb = new MelFilterbank(16000, 64, 128, 0, 8000, MelScale.Htk, MelNormalization.None);
        Assert.True(fb.EmptyBands > 0);
        var mel = new float[128];
        fb.Apply(Enumerable.Repeat(1f, fb.BinCount).ToArray(), mel);
        for (int b = 0; b < 128; b++)
        {
            Assert.Equal(fb.BandWeights(b, out _).Length == 0, mel[b] == 0);
        }
    }

    [Fact]
    public void RejectsBadRanges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterbank(16000, 512, 64, 50, 8001));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterbank(16000, 512, 64, 500, 500));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterbank(16000, 512, 0, 50, 8000));
    }
}
