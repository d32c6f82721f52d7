using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Tests.Dsp;

public sealed class StftTests
{
    private static float[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    [Theory]
    [InlineData(StftPadding.CenterReflect, 0, 0)]
    [InlineData(StftPadding.CenterReflect, 1, 1)]
    [InlineData(StftPadding.CenterReflect, 159, 1)]
    [InlineData(StftPadding.CenterReflect, 160, 2)]
    [InlineData(StftPadding.CenterReflect, 160000, 1001)]
    [InlineData(StftPadding.CenterZero, 16001, 101)]
    [InlineData(StftPadding.None, 511, 0)]
    [InlineData(StftPadding.None, 512, 1)]
    [InlineData(StftPadding.None, 16000, 97)]
    public void FrameCountFollowsThePaddingFormula(StftPadding padding, int samples, int frames) =>
        Assert.Equal(frames, new Stft(512, 400, 160, padding).FrameCount(samples));

    [Theory]
    [InlineData(160, 1)] // odd n_fft pads (n_fft - 1) / 2 per side, as torch.stft(center=True)
    [InlineData(161, 2)]
    [InlineData(16000, 100)]
    public void OddFftSizeFrameCountMatchesTorch(int samples, int frames) =>
        Assert.Equal(frames, new Stft(441, 400, 160).FrameCount(samples));

    [Fact]
    public void WindowIsPeriodicHannCentredInTheFft()
    {
        var stft = new Stft(512, 400, 160);
        var w = stft.Window;
        for (int i = 0; i < 512; i++)
        {
            double expected = i < 56 || i >= 456 ? 0 : 0.5 - 0.5 * Math.Cos(2 * Math.PI * (i - 56) / 400);
            Assert.True(Math.Abs(expected - w[i]) < 1e-6, $"w[{i}]");
        }

        Assert.Equal(200.0, w.ToArray().Sum(v => (double)v), 3); // periodic Hann sums to L/2
    }

    [Theory]
    [InlineData(StftPadding.CenterReflect, 1000, 512)]
    [InlineData(StftPadding.CenterZero, 1000, 512)]
    [InlineData(StftPadding.None, 1000, 512)]
    [InlineData(StftPadding.CenterReflect, 300, 512)] // shorter than n_fft, longer than n_fft/2
    [InlineData(StftPadding.CenterReflect, 1000, 441)]
    [InlineData(StftPadding.None, 1000, 441)]
    public void FramesMatchAnExplicitlyPaddedSignal(StftPadding padding, int n, int nfft)
    {
        const int win = 400, hop = 160;
        var x = Noise(n, n);
        int pad = padding == StftPadding.None ? 0 : nfft / 2;
        var padded = new float[n + 2 * pad];
        for (int i = 0; i < padded.Length; i++)
        {
            int j = i - pad;
            padded[i] = j >= 0 && j < n ? x[j]
                : padding == StftPadding.CenterZero ? 0
                : j < 0 ? x[-j] : x[2 * (n - 1) - j]; // numpy 'reflect' (edge not repeated)
        }

        var stft = new Stft(nfft, win, hop, padding);
        var frame = new float[nfft];
        var w = stft.Window.ToArray();
        for (int t = 0; t < stft.FrameCount(n); t++)
        {
            stft.WindowedFrame(x, t, frame);
            for (int i = 0; i < nfft; i++)
            {
                Assert.Equal(padded[t * hop + i] * w[i], frame[i]);
            }
        }
    }

    [Theory]
    [InlineData(512, 400, 160)]
    [InlineData(256, 201, 37)]
    [InlineData(64, 64, 16)]
    [InlineData(400, 400, 160)]
    [InlineData(441, 300, 100)]
    public void ParsevalHoldsForEveryFrame(int nfft, int win, int hop)
    {
        var x = Noise(2 * nfft + 13, nfft);
        var stft = new Stft(nfft, win, hop);
        var buffers = stft.CreateBuffers();
        var frame = new float[nfft];
        var power = new float[stft.BinCount];
        for (int t = 0; t < stft.FrameCount(x.Length); t++)
        {
            stft.WindowedFrame(x, t, frame);
            double timeEnergy = frame.Sum(v => (double)v * v);
            stft.PowerFrame(x, t, power, buffers);
            // Bins 1..ceil(n/2)-1 appear twice in the full spectrum; Nyquist (even n only) once.
            double spectral = power[0] + (nfft % 2 == 0 ? power[nfft / 2] : 0);
            for (int k = 1; k < (nfft + 1) / 2; k++)
            {
                spectral += 2.0 * power[k];
            }

            Assert.True(Math.Abs(spectral / nfft - timeEnergy) < 1e-5 * timeEnergy, $"frame {t}");
        }
    }

    [Fact]
    public void ShortSignalsReflectRepeatedlyAndStayFinite()
    {
        var stft = new Stft(512, 400, 160);
        var frame = new float[512];
        foreach (int n in new[] { 1, 2, 3, 100 })
        {
            var x = Noise(n, n);
            Assert.Equal(1, stft.FrameCount(n));
            stft.WindowedFrame(x, 0, frame);
            Assert.All(frame, v => Assert.True(float.IsFinite(v)));
            Assert.Contains(frame, v => v != 0);
        }
    }
}
