using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;

namespace AecOfa.Audio.Tests.Features;

public sealed class LogMelExtractorTests
{
    private static float[] Noise(int n, int seed, double amplitude = 0.5)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(amplitude * (rng.NextDouble() * 2 - 1))).ToArray();
    }

    private static float[] Tone(int rate, double hz, int n) =>
        Enumerable.Range(0, n).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    public static TheoryData<LogMelOptions> OptionSets => new()
    {
        new LogMelOptions(),
        new LogMelOptions { MelScale = MelScale.Htk, MelNormalization = MelNormalization.None, Log = LogCompression.DecibelsClamped },
        new LogMelOptions { SampleRate = 22050, FftSize = 256, WindowLength = 201, HopLength = 37, MelBins = 13, FMin = 0, FMax = 11025, Padding = StftPadding.CenterZero },
        new LogMelOptions { FftSize = 1024, WindowLength = 1024, HopLength = 320, MelBins = 7, Padding = StftPadding.None, LogFloor = 1e-3 },
        new LogMelOptions { FftSize = 400, MelScale = MelScale.Htk, MelNormalization = MelNormalization.None }, // torchaudio-like, Bluestein FFT
    };

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void MatchesNaiveFloat64Pipeline(LogMelOptions options)
    {
        var fx = new LogMelExtractor(options);
        var x = Noise(3001, options.FftSize);
        int frames = fx.FrameCount(x.Length);
        Assert.True(frames > 0);
        var fast = new float[fx.Bins * frames];
        fx.Extract(x, fast);
        var reference = fx.ExtractReference(x);
        for (int i = 0; i < fast.Length; i++)
        {
            // ln / dB of a value with relative error 1e-4 moves by at most 1e-4 / 4.3e-4.
            double tolerance = options.Log == LogCompression.NaturalLogOffset ? 1e-4 : 5e-4;
            Assert.True(Math.Abs(fast[i] - reference[i]) < tolerance, $"value {i}: {fast[i]} vs {reference[i]}");
        }
    }

    [Theory]
    [InlineData(MelScale.Slaney, 300.0)]
    [InlineData(MelScale.Slaney, 1000.0)]
    [InlineData(MelScale.Slaney, 2500.0)]
    [InlineData(MelScale.Htk, 440.0)]
    [InlineData(MelScale.Htk, 6000.0)]
    [InlineData(MelScale.Htk, 7300.0)]
    public void PureTonePeaksInABandContainingItsFrequency(MelScale scale, double hz)
    {
        var fx = new LogMelExtractor(new LogMelOptions { MelScale = scale });
        var features = fx.Extract(new AudioClip(Tone(16000, hz, 8000), 16000));
        int frames = fx.FrameCount(8000);
        var mean = Enumerable.Range(0, fx.Bins).Select(b => features.AsSpan(b * frames, frames).ToArray().Average()).ToArray();
        int best = Array.IndexOf(mean, mean.Max());
        var edges = fx.Filterbank.BandEdgesHz;
        Assert.InRange(hz, edges[best], edges[best + 2]);
        // And clearly above bands far away.
        Assert.True(mean[best] - mean[(best + fx.Bins / 2) % fx.Bins] > 5);
    }

    [Fact]
    public void OutputIsBinMajor()
    {
        // Silence then a 1 kHz tone: the band holding 1 kHz is quiet in early frames (row start) and loud late.
        var x = new float[16000];
        Tone(16000, 1000, 8000).CopyTo(x, 8000);
        var fx = new LogMelExtractor();
        var f = fx.Extract(new AudioClip(x, 16000));
        int frames = fx.FrameCount(x.Length);
        Assert.Equal(101, frames);
        int band = Enumerable.Range(0, fx.Bins).First(b => fx.Filterbank.BandEdgesHz[b + 1] >= 1000) - 1;
        Assert.Equal((float)Math.Log(1e-6), f[band * frames + 5], 4);
        Assert.True(f[band * frames + 90] > 0);
    }

    [Fact]
    public void SilenceGivesTheFloor()
    {
        var fx = new LogMelExtractor(new LogMelOptions { Log = LogCompression.DecibelsClamped, LogFloor = 1e-10 });
        var f = new float[fx.Bins * fx.FrameCount(1000)];
        fx.Extract(new float[1000], f);
        Assert.All(f, v => Assert.Equal(-100f, v, 4));
    }

    [Fact]
    public void DefaultsAndConfigKey()
    {
        var fx = new LogMelExtractor();
        Assert.Equal(16000, fx.SampleRate);
        Assert.Equal(64, fx.Bins);
        Assert.Equal(1001, fx.FrameCount(160000));
        Assert.Equal(0, fx.FrameCount(0));
        Assert.Equal(
            "logmel-v1;sr=16000;nfft=512;win=400;window=hann-periodic;hop=160;pad=center-reflect;power=2;mels=64;" +
            "fmin=50;fmax=8000;scale=slaney;norm=slaney;log=ln(x+1E-06)", fx.ConfigKey);
    }

    [Fact]
    public void ConfigKeyChangesWhenAnyParameterChanges()
    {
        var d = new LogMelOptions();
        LogMelOptions[] variants =
        [
            d,
            d with { SampleRate = 22050, FMax = 8000 },
            d with { FftSize = 1024 },
            d with { WindowLength = 512 },
            d with { HopLength = 320 },
            d with { Padding = StftPadding.CenterZero },
            d with { Padding = StftPadding.None },
            d with { MelBins = 128 },
            d with { FMin = 0 },
            d with { FMax = 7999.5 },
            d with { MelScale = MelScale.Htk },
            d with { MelNormalization = MelNormalization.None },
            d with { Log = LogCompression.DecibelsClamped },
            d with { LogFloor = 1e-5 },
        ];
        var keys = variants.Select(v => new LogMelExtractor(v).ConfigKey).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        // Every public settable property is covered by a variant above.
        int properties = typeof(LogMelOptions).GetProperties().Count(p => p.CanWrite && p.Name != "EqualityContract");
        Assert.Equal(variants.Length - 2, properties); // the default, and Padding has two variants
    }

    [Fact]
    public void BadOptionsAndBuffersAreRejected()
    {
        Assert.Contains("FMax", Assert.Throws<ArgumentException>(() => new LogMelExtractor(new LogMelOptions { FMax = 9000 })).Message);
        Assert.Contains("FftSize", Assert.Throws<ArgumentException>(() => new LogMelExtractor(new LogMelOptions { FftSize = 1, WindowLength = 1 })).Message);
        Assert.Contains("WindowLength", Assert.Throws<ArgumentException>(() => new LogMelExtractor(new LogMelOptions { WindowLength = 600 })).Message);
        var fx = new LogMelExtractor();
        Assert.Throws<ArgumentException>(() => fx.Extract(new float[1600], new float[10]));
        Assert.Throws<ArgumentException>(() => fx.Extract(new AudioClip(new float[10], 8000)));
        var other = new LogMelExtractor(new LogMelOptions { MelBins = 32 });
        Assert.Throws<ArgumentException>(() => fx.Extract(new float[1600], new float[64 * 11], other.CreateWorkspace()));
    }
}
