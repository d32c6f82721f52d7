using AecOfa.Audio.Datasets;
using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;
using AecOfa.Audio.Tests.Support;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests.Datasets;

/// <summary>The loader on real (tiny, generated) WAV files: decoding, resampling, corrupt-file policy, cache.</summary>
public class WavFileDecoderTests
{
    private static float[] Tone(int n, double step)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(0.5 * Math.Sin(step * i));
        return x;
    }

    private static Manifest Fixture(TempFolder dir)
    {
        Directory.CreateDirectory(dir["wav"]);
        WavWriter.Write(dir["wav/native.wav"], new AudioClip(Tone(160, 0.3), 800), WavSampleFormat.Float32);
        WavWriter.Write(dir["wav/double.wav"], new AudioClip(Tone(333, 0.1), 1600), WavSampleFormat.Float32);
        dir.Write("wav/corrupt.wav", "RIFF this is not a wave file");
        ManifestEntry[] entries =
        [
            new("wav/native.wav", ["tone"], "train"),
            new("wav/corrupt.wav", ["tone"], "train"),
            new("wav/double.wav", ["tone"], "val"),
        ];
        Manifest.Write(dir.Path, new ClassList(["tone"]), entries);
        return Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));
    }

    [Fact]
    public void DecodesAndResamplesToTheModelRate()
    {
        using var dir = new TempFolder();
        Manifest m = Fixture(dir);
        var loader = new ManifestAudioLoader(m, 800, UnreadableFilePolicy.Skip);

        AudioClip native = loader.TryLoad(0)!;
        Assert.Equal(800, native.SampleRate);
        Assert.Equal(Tone(160, 0.3), native.Samples);

        AudioClip resampled = loader.TryLoad(2)!;
        float[] expected = new Resampler(1600, 800).Process(WavReader.Read(m.FullPath(2)).Samples);
        Assert.Equal(800, resampled.SampleRate);
        Assert.Equal(expected, resampled.Samples);

        Assert.Null(loader.TryLoad(1));
        SkippedClip s = Assert.Single(loader.Skipped);
        Assert.Contains("AudioFormatException", s.Reason);
        Assert.Contains("corrupt.wav", s.Path);
    }

    [Fact]
    public void CorruptWavStopsByDefault()
    {
        using var dir = new TempFolder();
        Manifest m = Fixture(dir);
        var e = Assert.Throws<ClipLoadException>(() => new ManifestAudioLoader(m, 800).LoadAll().ToArray());
        Assert.Equal(1, e.EntryIndex);
        Assert.IsType<AudioFormatException>(e.InnerException);
    }

    [Fact]
    public void CacheOverRealWavsSkipsTheCorruptOne()
    {
        using var dir = new TempFolder();
        Manifest m = Fixture(dir);
        var extractor = new FakeExtractor(sampleRate: 800, bins: 2, hop: 40);
        var options = new FeatureCacheOptions(ClipLengthPolicy.Fixed(0.25));
        using FeatureCache cache = FeatureCache.OpenOrBuild(dir["f.cache"], new ManifestAudioLoader(m, 800, UnreadableFilePolicy.Skip), extractor, options).Cache;
        Assert.Equal(2, cache.ClipCount);
        Assert.Equal(5, cache.FixedFrames);
        Assert.Equal([0, 2], new[] { cache.EntryIndex(0), cache.EntryIndex(1) });
        Assert.Equal(["train", "val"], new[] { cache.Split(0), cache.Split(1) });
    }
}
