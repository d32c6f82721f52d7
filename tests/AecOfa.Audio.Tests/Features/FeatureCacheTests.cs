using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Features;

public class FeatureCacheTests
{
    // FakeExtractor: 100 Hz, 3 bins, hop 10 => a fixed 0.5 s clip is 50 samples = 5 frames.
    private static readonly FeatureCacheOptions HalfSecond = new(ClipLengthPolicy.Fixed(0.5), MaxDegreeOfParallelism: 2);

    private static float[] Direct(IFeatureExtractor extractor, AudioClip clip, int samples)
    {
        var padded = new float[samples];
        clip.Samples.AsSpan(0, Math.Min(samples, clip.Samples.Length)).CopyTo(padded);
        var result = new float[extractor.Bins * extractor.FrameCount(samples)];
        extractor.Extract(padded, result);
        return result;
    }

    [Fact]
    public void BuildMatchesDirectExtractionWithPadAndCrop()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 33, 50, 71, 7, 120);
        var extractor = new FakeExtractor();
        var loader = new ManifestAudioLoader(m, 100, new FakeDecoder());
        var reports = new List<(int, int)>();
        var progress = new SyncProgress(reports);

        using FeatureCache cache = FeatureCache.OpenOrBuild(dir["cache.bin"], loader, extractor, HalfSecond, progress).Cache;
        Assert.Equal(5, cache.ClipCount);
        Assert.Equal(3, cache.Bins);
        Assert.Equal(5, cache.FixedFrames);
        Assert.Equal(3, cache.ClassCount);
        Assert.Equal((5, 5), reports[^1]);
        var decoder = new FakeDecoder();
        for (int i = 0; i < m.Count; i++)
        {
            float[] expected = Direct(extractor, decoder.Decode(m.FullPath(i), 100), 50);
            Assert.Equal(expected, cache.Features(i).ToArray());
            Assert.Equal(5, cache.FrameCount(i));
            Assert.Equal(m.LabelIndices(i).ToArray(), cache.LabelIndices(i).ToArray());
            Assert.Equal(m.Entries[i].Split, cache.Split(i));
            Assert.Equal(i, cache.EntryIndex(i));
        }
        var target = new float[3];
        cache.FillTarget(3, target);
        Assert.Equal([1f, 0f, 1f], target);
        Assert.Equal([0, 2, 4], cache.ClipsOfSplit("train"));
        Assert.Empty(cache.ClipsOfSplit("nope"));
    }

    [Fact]
    public void VariableLengthKeepsEachClipsFrames()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 33, 50, 7);
        var extractor = new FakeExtractor();
        var options = HalfSecond with { Length = ClipLengthPolicy.Variable };
        using var cache = FeatureCache.OpenOrBuild(dir["cache.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), extractor, options).Cache;
        Assert.Equal(0, cache.FixedFrames);
        Assert.Equal([3, 5, 0], Enumerable.Range(0, 3).Select(cache.FrameCount));
        var decoder = new FakeDecoder();
        Assert.Equal(Direct(extractor, decoder.Decode(m.FullPath(0), 100), 33), cache.Features(0).ToArray());
        Assert.Equal(0, cache.Features(2).Length);
    }

    [Fact]
    public void ReopensWithoutRebuildAndRebuildsWhenConfigOrManifestChanges()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40, 60, 80);
        string path = dir["cache.bin"];
        var extractor = new FakeExtractor();
        var loader = new ManifestAudioLoader(m, 100, new FakeDecoder());

        FeatureCacheOpenResult first = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        Assert.True(first.Built);
        Assert.Equal("no cache file", first.BuildReason);
        first.Cache.Dispose();
        Assert.Equal(3, extractor.Calls);
        DateTime written = File.GetLastWriteTimeUtc(path);

        FeatureCacheOpenResult reopened = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        Assert.False(reopened.Built);
        Assert.Equal(3, extractor.Calls);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        reopened.Cache.Dispose();

        var otherConfig = new FakeExtractor(hop: 5);
        FeatureCacheOpenResult rebuilt = FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(m, 100, new FakeDecoder()), otherConfig, HalfSecond);
        Assert.True(rebuilt.Built);
        Assert.Contains("key mismatch", rebuilt.BuildReason);
        Assert.Equal(10, rebuilt.Cache.FixedFrames);
        rebuilt.Cache.Dispose();

        FeatureCacheOpenResult longer = FeatureCache.OpenOrBuild(path, loader, otherConfig, HalfSecond with { Length = ClipLengthPolicy.Fixed(0.8) });
        Assert.True(longer.Built);
        longer.Cache.Dispose();

        var entries = m.Entries.ToList();
        entries[1] = entries[1] with { Labels = ["c"] };
        Manifest.Write(dir.Path, m.Classes, entries);
        Manifest changed = Manifest.Read(dir.Path);
        using FeatureCache relabeled = FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(changed, 100, new FakeDecoder()), otherConfig, HalfSecond with { Length = ClipLengthPolicy.Fixed(0.8) }) switch
        {
            { Built: true } r => r.Cache,
            _ => throw new Xunit.Sdk.XunitException("manifest change did not rebuild"),
        };
        Assert.Equal([2], relabeled.LabelIndices(1).ToArray());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void TruncatedOrForeignFileIsDetectedAndRebuilt()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40, 60);
        string path = dir["cache.bin"];
        var extractor = new FakeExtractor();
        var loader = new ManifestAudioLoader(m, 100, new FakeDecoder());
        FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond).Cache.Dispose();
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..^7]);
        var e = Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path));
        Assert.Contains("truncated", e.Message);
        FeatureCacheOpenResult rebuilt = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        Assert.True(rebuilt.Built);
        Assert.Contains("truncated", rebuilt.BuildReason);
        rebuilt.Cache.Dispose();
        Assert.Equal(good, File.ReadAllBytes(path)); // deterministic rebuild

        byte[] bad = (byte[])good.Clone();
        bad[0] = (byte)'X';
        File.WriteAllBytes(path, bad);
        Assert.Contains("bad magic", Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path)).Message);

        bad = (byte[])good.Clone();
        bad[^40] ^= 0xFF; // inside the tables
        File.WriteAllBytes(path, bad);
        Assert.Contains("checksum", Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path)).Message);

        File.WriteAllBytes(path, good[..100]);
        Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path));
    }

    [Fact]
    public void OutputIsIdenticalForAnyWorkerCount()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, Enumerable.Range(0, 37).Select(i => 20 + 3 * i).ToArray());
        var extractor = new FakeExtractor();
        FeatureCacheBuilder.Build(dir["one.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), extractor, HalfSecond with { MaxDegreeOfParallelism = 1 });
        FeatureCacheBuilder.Build(dir["two.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), extractor, HalfSecond with { MaxDegreeOfParallelism = 2 });
        Assert.Equal(File.ReadAllBytes(dir["one.bin"]), File.ReadAllBytes(dir["two.bin"]));
    }

    [Fact]
    public void SkipPolicyLeavesOutUnreadableClipsAndRecordsThem()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40, 60, 80, 20);
        dir.Write("clips/clip01.wav", "corrupt");
        var extractor = new FakeExtractor();
        string path = dir["cache.bin"];

        Assert.Throws<ClipLoadException>(() => FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(m, 100, new FakeDecoder()), extractor, HalfSecond));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp")); // the temp file of the failed build is removed

        var skip = HalfSecond;
        using (FeatureCache cache = FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(m, 100, new FakeDecoder(), UnreadableFilePolicy.Skip), extractor, skip).Cache)
        {
            Assert.Equal(3, cache.ClipCount);
            Assert.Equal([0, 2, 3], Enumerable.Range(0, 3).Select(cache.EntryIndex));
            SkippedClip s = Assert.Single(cache.Skipped);
            Assert.Equal(1, s.EntryIndex);
            Assert.Contains("InvalidDataException", s.Reason);
        }
        FeatureCacheOpenResult reopened = FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(m, 100, new FakeDecoder(), UnreadableFilePolicy.Skip), extractor, skip);
        Assert.False(reopened.Built);
        Assert.Single(reopened.Skipped);
        reopened.Cache.Dispose();
    }

    [Fact]
    public void MismatchedRatesAndPerWorkerKeysAreRejected()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40);
        Assert.Throws<ArgumentException>(() =>
            FeatureCacheBuilder.Build(dir["c.bin"], new ManifestAudioLoader(m, 200, new FakeDecoder()), new FakeExtractor(), HalfSecond));
        var options = HalfSecond with { ExtractorPerWorker = () => new FakeExtractor(tag: "other") };
        Assert.Throws<InvalidOperationException>(() =>
            FeatureCacheBuilder.Build(dir["c.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), new FakeExtractor(), options));
        var good = HalfSecond with { ExtractorPerWorker = () => new FakeExtractor() };
        FeatureCacheBuilder.Build(dir["c.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), new FakeExtractor(), good);
        using FeatureCache cache = FeatureCache.Open(dir["c.bin"]);
        Assert.Equal(1, cache.ClipCount);
    }

    [Fact]
    public void AllClipsSkippedGivesAnEmptyButValidCache()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40, 60);
        dir.Write("clips/clip00.wav", "corrupt");
        dir.Write("clips/clip01.wav", "corrupt");
        var options = HalfSecond;
        using FeatureCache cache = FeatureCache.OpenOrBuild(dir["c.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder(), UnreadableFilePolicy.Skip), new FakeExtractor(), options).Cache;
        Assert.Equal(0, cache.ClipCount);
        Assert.Equal(2, cache.Skipped.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Features(0).Length);
    }

    [Fact]
    public void CancelledBuildLeavesNoFile()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 40, 60, 80);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            FeatureCacheBuilder.Build(dir["c.bin"], new ManifestAudioLoader(m, 100, new FakeDecoder()), new FakeExtractor(), HalfSecond, cancellationToken: cts.Token));
        Assert.False(File.Exists(dir["c.bin"]));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SyncProgress(List<(int, int)> reports) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => reports.Add(value);
    }
}
