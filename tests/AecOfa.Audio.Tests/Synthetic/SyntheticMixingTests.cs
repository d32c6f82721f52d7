using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dsp;
using AecOfa.Audio.Synthetic.Mixing;

namespace AecOfa.Audio.Tests.Synthetic;

public sealed class SyntheticMixingTests
{
    private static readonly SyntheticEventsDataset Dataset = new(new SyntheticEventsOptions { Seed = 21, TrainClips = 30, ClipSeconds = 1.5 });

    [Fact]
    public void MeasuredSnrOfEveryEventIsTheDrawnOneAndInRange()
    {
        int events = 0;
        for (int i = 0; i < Dataset.Count(DatasetSplit.Train); i++)
        {
            SyntheticClip clip = Dataset.GetDetailed(DatasetSplit.Train, i);
            foreach (RenderedEvent e in clip.Events)
            {
                // SNR over the active span, from the separately returned event and background.
                double signal = SyntheticSignalProbe.Energy(e.Signal.AsSpan(0, e.ActiveLength));
                double noise = SyntheticSignalProbe.Energy(clip.Background.AsSpan(e.Onset, e.ActiveLength));
                double snr = 10 * Math.Log10(signal / noise);
                Assert.InRange(snr, -5.01, 20.01);
                Assert.True(Math.Abs(snr - e.SnrDb) < 0.01, $"clip {i} {e.ClassName}: measured {snr:F3} dB, drawn {e.SnrDb:F3} dB");
                events++;
            }
        }
        Assert.True(events >= 30, $"only {events} events checked");
    }

    [Fact]
    public void MixtureIsExactlyTheSumOfItsParts()
    {
        for (int i = 0; i < 8; i++)
        {
            SyntheticClip clip = Dataset.GetDetailed(DatasetSplit.Train, i);
            var sum = (float[])clip.Background.Clone();
            foreach (RenderedEvent e in clip.Events)
                for (int k = 0; k < e.Signal.Length; k++) sum[e.Onset + k] += e.Signal[k];
            Assert.Equal(sum, clip.Audio.Samples);
        }
    }

    [Fact]
    public void ClipsNeverClipAndPeakAtTheirDrawnLevel()
    {
        for (int i = 0; i < Dataset.Count(DatasetSplit.Train); i++)
        {
            SyntheticClip clip = Dataset.GetDetailed(DatasetSplit.Train, i);
            float peak = clip.Audio.Samples.Max(Math.Abs);
            Assert.True(peak < 0.95f, $"clip {i}: peak {peak}");
            Assert.True(Math.Abs(peak - clip.Recipe.OutputPeak) < 1e-4, $"clip {i}: peak {peak}, drawn {clip.Recipe.OutputPeak}");
            Assert.Equal(Dataset.Options.ClipSamples, clip.Audio.Samples.Length);
            Assert.Equal(16000, clip.Audio.SampleRate);
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.35)]
    [InlineData(0.8)]
    public void ImpulseResponseDecaysAtTheRequestedRt60(double rt60)
    {
        // Schroeder backward integration, line fit of the -5..-25 dB part (T20), extrapolated to 60 dB.
        float[] h = new RoomReverb(rt60, 0.004, 6000, 17).ImpulseResponse(16000);
        Assert.Equal(1.0, SyntheticSignalProbe.Energy(h), 4);
        var edc = new double[h.Length];
        double tail = 0;
        for (int i = h.Length - 1; i >= 0; i--) edc[i] = tail += (double)h[i] * h[i];
        var points = Enumerable.Range(0, h.Length).Select(i => (T: i / 16000.0, Db: 10 * Math.Log10(edc[i] / edc[0])))
            .Where(p => p.Db is <= -5 and >= -25).ToArray();
        double mt = points.Average(p => p.T), md = points.Average(p => p.Db);
        double slope = points.Sum(p => (p.T - mt) * (p.Db - md)) / points.Sum(p => (p.T - mt) * (p.T - mt));
        double measured = -60 / slope;
        Assert.True(Math.Abs(measured - rt60) < 0.1 * rt60, $"RT60 {measured:F3} s, requested {rt60} s");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 9)]
    [InlineData(33, 7, 39)]
    [InlineData(100, 33, 50)]
    [InlineData(7, 33, 200)]
    [InlineData(1000, 333, 1332)]
    public void FftConvolutionMatchesTheNaiveReference(int xLength, int hLength, int outputLength)
    {
        var rng = new Random(xLength * 31 + hLength);
        float[] x = Noise.White(rng, xLength), h = Noise.White(rng, hLength);
        var fast = new float[outputLength];
        var reference = new float[outputLength];
        new FftConvolver(h).Convolve(x, fast);
        FftConvolver.ConvolveReference(x, h, reference);
        for (int i = 0; i < outputLength; i++) Assert.True(Math.Abs(fast[i] - reference[i]) < 1e-5, $"sample {i}: {fast[i]} vs {reference[i]}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(1024)]
    public void RealFftMatchesTheNaiveDftAndInverts(int n)
    {
        var rng = new Random(n);
        double[] x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var re = new double[n / 2 + 1];
        var im = new double[n / 2 + 1];
        Fft.RealForward(x, re, im);
        for (int k = 0; k <= n / 2; k++)
        {
            double dr = 0, di = 0;
            for (int m = 0; m < n; m++)
            {
                dr += x[m] * Math.Cos(2 * Math.PI * k * m / n);
                di -= x[m] * Math.Sin(2 * Math.PI * k * m / n);
            }
            Assert.True(Math.Abs(re[k] - dr) < 1e-9 * n && Math.Abs(im[k] - di) < 1e-9 * n, $"bin {k}: ({re[k]}, {im[k]}) vs ({dr}, {di})");
        }
        var back = new double[n];
        Fft.RealInverse(re, im, back);
        for (int m = 0; m < n; m++) Assert.True(Math.Abs(back[m] - x[m]) < 1e-12, $"sample {m}: {back[m]} vs {x[m]}");
    }
}
