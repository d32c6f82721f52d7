using AecOfa.Audio.Features;

namespace AecOfa.Audio.Tests.Features;

public sealed class FeatureNormalizerTests
{
    private const int Bins = 3;

    // Clips of varying length with a large offset, where a naive sum-of-squares would lose precision.
    private static List<float[]> Clips(int count, int seed)
    {
        var rng = new Random(seed);
        var clips = new List<float[]>();
        for (int c = 0; c < count; c++)
        {
            int frames = 1 + rng.Next(40);
            var clip = new float[Bins * frames];
            for (int b = 0; b < Bins; b++)
            {
                for (int t = 0; t < frames; t++)
                {
                    clip[b * frames + t] = (float)(1000 * (b + 1) + (b + 1) * (rng.NextDouble() - 0.5));
                }
            }

            clips.Add(clip);
        }

        return clips;
    }

    private static (double[] Mean, double[] Std) TwoPass(List<float[]> clips)
    {
        var values = Enumerable.Range(0, Bins).Select(_ => new List<double>()).ToArray();
        foreach (var clip in clips)
        {
            int frames = clip.Length / Bins;
            for (int i = 0; i < clip.Length; i++)
            {
                values[i / frames].Add(clip[i]);
            }
        }

        var mean = values.Select(v => v.Average()).ToArray();
        var std = values.Select((v, b) => Math.Sqrt(v.Sum(x => (x - mean[b]) * (x - mean[b])) / v.Count)).ToArray();
        return (mean, std);
    }

    [Fact]
    public void StreamingStatisticsEqualTwoPassOverAllFrames()
    {
        var clips = Clips(200, 1);
        var stats = new FeatureStatistics(Bins);
        foreach (var clip in clips)
        {
            stats.Add(clip, Bins);
        }

        var (mean, std) = TwoPass(clips);
        var normalizer = stats.ToNormalizer();
        Assert.Equal(clips.Sum(c => c.Length / Bins), stats.Frames);
        for (int b = 0; b < Bins; b++)
        {
            Assert.True(Math.Abs(normalizer.Mean[b] - mean[b]) < 1e-12 * mean[b], $"mean {b}");
            Assert.True(Math.Abs(normalizer.Std[b] - std[b]) < 1e-9 * std[b], $"std {b}: {normalizer.Std[b]} vs {std[b]}");
        }
    }

    [Fact]
    public void MergingPartialAccumulatorsEqualsOneAccumulator()
    {
        var clips = Clips(31, 2);
        var all = new FeatureStatistics(Bins);
        var left = new FeatureStatistics(Bins);
        var right = new FeatureStatistics(Bins);
        for (int i = 0; i < clips.Count; i++)
        {
            all.Add(clips[i], Bins);
            (i % 3 == 0 ? left : right).Add(clips[i], Bins);
        }

        left.Merge(right);
        left.Merge(new FeatureStatistics(Bins));
        Assert.Equal(all.Frames, left.Frames);
        for (int b = 0; b < Bins; b++)
        {
            Assert.Equal(all.Mean[b], left.Mean[b], 9);
            Assert.True(Math.Abs(all.Variance(b) - left.Variance(b)) < 1e-9 * all.Variance(b));
        }

        Assert.Throws<ArgumentException>(() => left.Merge(new FeatureStatistics(4)));
    }

    [Fact]
    public void ApplyStandardizesInPlaceAndMatchesReference()
    {
        var clips = Clips(20, 3);
        var stats = new FeatureStatistics(Bins);
        clips.ForEach(c => stats.Add(c, Bins));
        var normalizer = stats.ToNormalizer();
        var after = new FeatureStatistics(Bins);
        foreach (var clip in clips)
        {
            var reference = normalizer.ApplyReference(clip);
            normalizer.Apply(clip, Bins);
            for (int i = 0; i < clip.Length; i++)
            {
                Assert.True(Math.Abs(clip[i] - reference[i]) < 1e-3, $"value {i}"); // float32 of x - 3000 loses ~1e-4
            }

            after.Add(clip, Bins);
        }

        for (int b = 0; b < Bins; b++)
        {
            Assert.True(Math.Abs(after.Mean[b]) < 1e-3);
            Assert.True(Math.Abs(Math.Sqrt(after.Variance(b)) - 1) < 1e-3);
        }
    }

    [Fact]
    public void ConstantBinsGetTheMinimumStd()
    {
        var stats = new FeatureStatistics(2);
        stats.Add([5f, 5f, 5f, 1f, 2f, 3f], 2);
        var n = stats.ToNormalizer(minStd: 0.01);
        Assert.Equal(0.01, n.Std[0]);
        Assert.Equal(Math.Sqrt(2.0 / 3), n.Std[1], 12);
        Assert.Throws<InvalidOperationException>(() => new FeatureStatistics(2).ToNormalizer());
    }

    [Fact]
    public void JsonRoundTripIsExact()
    {
        var stats = new FeatureStatistics(Bins);
        Clips(5, 4).ForEach(c => stats.Add(c, Bins));
        var n = stats.ToNormalizer(featureConfigKey: "logmel-v1;sr=16000");
        var back = FeatureNormalizer.FromJson(n.ToJson());
        Assert.Equal(n.Mean.ToArray(), back.Mean.ToArray());
        Assert.Equal(n.Std.ToArray(), back.Std.ToArray());
        Assert.Equal(n.Frames, back.Frames);
        Assert.Equal("logmel-v1;sr=16000", back.FeatureConfigKey);
        Assert.Contains("\"format\": \"aecofa.feature-normalizer\"", n.ToJson());

        string dir = Directory.CreateTempSubdirectory("aecofa-norm").FullName;
        try
        {
            string path = Path.Combine(dir, "norm.json");
            n.Save(path);
            Assert.Equal(n.Mean.ToArray(), FeatureNormalizer.Load(path).Mean.ToArray());
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MismatchesGiveClearErrors()
    {
        var n = new FeatureNormalizer([0, 1, 2], [1, 1, 1]);
        var e = Assert.Throws<ArgumentException>(() => n.Apply(new float[8], 4));
        Assert.Contains("have 4 bins, the statistics are for 3 bins", e.Message);
        Assert.Throws<ArgumentException>(() => n.Apply(new float[7], 3));
        Assert.Throws<ArgumentException>(() => new FeatureStatistics(3).Add(new float[8], 4));
        Assert.Throws<ArgumentException>(() => new FeatureNormalizer([0, 1], [1, 0]));
        Assert.Throws<ArgumentException>(() => n.EnsureCompatible(new LogMelExtractor()));

        string bad = n.ToJson().Replace("\"bins\": 3", "\"bins\": 4");
        Assert.Contains("bins is 4 but mean has 3", Assert.Throws<InvalidDataException>(() => FeatureNormalizer.FromJson(bad, "m.json")).Message);
        Assert.StartsWith("m.json: not valid JSON", Assert.Throws<InvalidDataException>(() => FeatureNormalizer.FromJson("{", "m.json")).Message);
        Assert.Contains("format is 'x'", Assert.Throws<InvalidDataException>(() => FeatureNormalizer.FromJson("{\"format\":\"x\"}")).Message);

        var keyed = new FeatureNormalizer(new double[64], Enumerable.Repeat(1.0, 64).ToArray(), 0, "other");
        Assert.Contains("'other'", Assert.Throws<ArgumentException>(() => keyed.EnsureCompatible(new LogMelExtractor())).Message);
    }
}
