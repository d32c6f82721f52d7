using AecOfa.Audio.Dsp;
using AecOfa.Audio.Features;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests;

/// <summary>The path a dataset converter takes: WAV file -> mono -> 16 kHz -> log-mel -> statistics -> normalized.</summary>
public sealed class FrontEndPipelineTests
{
    [Fact]
    public void StereoWavAt44kBecomesNormalizedLogMelAt16k()
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-pipe").FullName;
        try
        {
            // 0.5 s stereo: 1 kHz tone in both channels plus opposite-sign noise that the downmix cancels.
            const int rate = 44100, frames = rate / 2;
            var rng = new Random(9);
            var interleaved = new float[2 * frames];
            for (int i = 0; i < frames; i++)
            {
                float tone = (float)(0.4 * Math.Sin(2 * Math.PI * 1000 * i / rate));
                float noise = (float)(0.2 * (rng.NextDouble() - 0.5));
                interleaved[2 * i] = tone + noise;
                interleaved[2 * i + 1] = tone - noise;
            }

            string path = Path.Combine(dir, "clip.wav");
            WavWriter.Write(path, interleaved, 2, rate, WavSampleFormat.Float32);

            AudioClip clip = WavReader.Read(path);
            Assert.Equal(rate, clip.SampleRate);
            AudioClip at16k = new Resampler(clip.SampleRate, 16000).Process(clip);
            Assert.Equal(8000, at16k.Samples.Length);

            var extractor = new LogMelExtractor();
            float[] features = extractor.Extract(at16k);
            int count = extractor.FrameCount(at16k.Samples.Length);
            Assert.Equal(64 * 51, features.Length);

            var mean = Enumerable.Range(0, 64).Select(b => features.AsSpan(b * count, count).ToArray().Average()).ToArray();
            int peak = Array.IndexOf(mean, mean.Max());
            Assert.InRange(1000.0, extractor.Filterbank.BandEdgesHz[peak], extractor.Filterbank.BandEdgesHz[peak + 2]);

            var stats = new FeatureStatistics(extractor.Bins);
            stats.Add(features, extractor.Bins);
            var normalizer = stats.ToNormalizer(featureConfigKey: extractor.ConfigKey);
            normalizer.EnsureCompatible(extractor);
            normalizer.Apply(features, extractor.Bins);
            Assert.All(features, v => Assert.True(float.IsFinite(v)));
            // Fitted on this very clip, so every mel bin is now mean ~0 and std ~1 over its frames.
            for (int b = 0; b < extractor.Bins; b++)
            {
                var row = features.AsSpan(b * count, count).ToArray().Select(v => (double)v).ToArray();
                double m = row.Average(), sd = Math.Sqrt(row.Select(v => (v - m) * (v - m)).Average());
                Assert.True(Math.Abs(m) < 1e-3, $"bin {b}: mean {m} after normalization");
                Assert.True(Math.Abs(sd - 1) < 1e-2, $"bin {b}: std {sd} after normalization");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OneExtractorAndResamplerServeManyThreads()
    {
        var extractor = new LogMelExtractor();
        var resampler = new Resampler(22050, 16000);
        var clips = Enumerable.Range(0, 8).Select(s =>
        {
            var rng = new Random(s);
            return Enumerable.Range(0, 4000 + 500 * s).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        }).ToArray();

        float[] Run(float[] x)
        {
            var y = resampler.Process(x);
            var f = new float[extractor.Bins * extractor.FrameCount(y.Length)];
            extractor.Extract(y, f);
            return f;
        }

        var sequential = clips.Select(Run).ToArray();
        var parallel = new float[clips.Length][];
        Parallel.For(0, clips.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Run(clips[i]));
        for (int i = 0; i < clips.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }
}
