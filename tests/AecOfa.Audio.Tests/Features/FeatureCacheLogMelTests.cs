using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Audio.Tests.Support;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests.Features;

/// <summary>The cache end to end with the real LogMelExtractor over real WAVs (two sample rates).</summary>
public class FeatureCacheLogMelTests
{
    [Fact]
    public void CachedLogMelsEqualDirectExtraction()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir["wav"]);
        var rng = new Random(7);
        int[] rates = [16000, 8000, 16000];
        int[] lengths = [3000, 1111, 9000];
        var entries = new List<ManifestEntry>();
        for (int i = 0; i < rates.Length; i++)
        {
            var x = new float[lengths[i]];
            for (int k = 0; k < x.Length; k++)
                x[k] = (float)(0.3 * Math.Sin(0.05 * (i + 1) * k) + 0.05 * (rng.NextDouble() - 0.5));
            WavWriter.Write(dir[$"wav/{i}.wav"], new AudioClip(x, rates[i]), WavSampleFormat.Float32);
            entries.Add(new ManifestEntry($"wav/{i}.wav", ["tone"], i == 2 ? "val" : "train"));
        }
        Manifest.Write(dir.Path, new ClassList(["tone"]), entries);
        Manifest m = Manifest.Read(dir.Path);
        var extractor = new LogMelExtractor(new LogMelOptions { SampleRate = 16000 });
        var options = new FeatureCacheOptions(ClipLengthPolicy.Fixed(0.25));

        using FeatureCache cache = FeatureCache.OpenOrBuild(dir["logmel.cache"], new ManifestAudioLoader(m, 16000), extractor, options).Cache;
        int samples = 4000;
        Assert.Equal(extractor.FrameCount(samples), cache.FixedFrames);
        Assert.Equal(64, cache.Bins);
        var decoder = new WavFileDecoder();
        for (int i = 0; i < m.Count; i++)
        {
            AudioClip clip = decoder.Decode(m.FullPath(i), 16000);
            var padded = new AudioClip(options.EffectiveLength.Apply(clip.Samples, 16000), 16000);
            Assert.Equal(samples, padded.Samples.Length);
            Assert.Equal(extractor.Extract(padded), cache.Features(i).ToArray());
        }
    }
}
