using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Features;
using AecOfa.Audio.Tests.Support;
using AecOfa.Audio.Tests.Wav;
using AecOfa.Audio.Wav;

namespace AecOfa.Audio.Tests.BadInput;

/// <summary>
/// Bad-input suite for the audio side (feature caches, WAVs, manifests, folder trees), every input generated here.
/// Each case asserts the exception type, that the message names the file (and the line where there is one), and
/// that nothing already saved was damaged.
/// </summary>
public class AudioBadInputTests
{
    // FakeExtractor: 100 Hz, 3 bins, hop 10 => a fixed 0.5 s clip is 5 frames = 15 floats = 60 bytes.
    private static readonly FeatureCacheOptions HalfSecond = new(ClipLengthPolicy.Fixed(0.5), MaxDegreeOfParallelism: 2);
    private const int ClipBytes = 60;

    private static (Manifest Manifest, ManifestAudioLoader Loader, FakeExtractor Extractor, string Path) CacheFixture(TempFolder dir, int clips = 6)
    {
        var m = ManifestFixture.Create(dir, Enumerable.Repeat(50, clips).ToArray());
        return (m, new ManifestAudioLoader(m, 100, new FakeDecoder()), new FakeExtractor(), dir["features.cache"]);
    }

    private static float[][] AllFeatures(FeatureCache cache) =>
        Enumerable.Range(0, cache.ClipCount).Select(c => cache.Features(c).ToArray()).ToArray();

    private static void Patch(string path, long offset, byte[] bytes)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        f.Position = offset;
        f.Write(bytes);
    }

    private static long ClipOffset(int clip) => 256 + (long)clip * ClipBytes;

    [Theory]
    [InlineData(0, 0, false)]   // first byte of the first clip, bit flip
    [InlineData(3, 37, false)]  // inside a middle clip
    [InlineData(5, 59, false)]  // last byte of the data
    [InlineData(2, 8, true)]    // a NaN written over one float
    public void CorruptFeatureData_IsReportedNamingTheFile_AndOnlyTheDamagedClipIsRecomputed(int clip, int byteInClip, bool writeNaN)
    {
        using var dir = new TempFolder();
        var (_, loader, extractor, path) = CacheFixture(dir);
        float[][] expected;
        using (var cache = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond).Cache) expected = AllFeatures(cache);
        long at = ClipOffset(clip) + byteInClip;
        if (writeNaN)
            Patch(path, ClipOffset(clip) + byteInClip, BitConverter.GetBytes(float.NaN));
        else
        {
            byte original = File.ReadAllBytes(path)[at];
            Patch(path, at, [(byte)(original ^ 0x10)]);
        }

        var e = Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"clip {clip} (manifest entry {clip})", e.Message);
        Assert.Equal([clip], e.CorruptClips);

        int callsBefore = extractor.Calls;
        var opened = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        using var openedCache = opened.Cache;
        Assert.False(opened.Built);
        Assert.Equal([clip], opened.RepairedClips);
        Assert.Contains($"clip {clip} ('clips/clip{clip:D2}.wav', {dir["manifest.csv"]}:{clip + 2})", opened.BuildReason);
        Assert.Equal(1, extractor.Calls - callsBefore); // only the damaged clip was recomputed
        Assert.Equal(expected, AllFeatures(opened.Cache));
    }

    [Fact]
    public void MostClipsCorrupt_RebuildsTheWholeCache()
    {
        using var dir = new TempFolder();
        var (_, loader, extractor, path) = CacheFixture(dir);
        float[][] expected;
        using (var cache = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond).Cache) expected = AllFeatures(cache);
        for (int clip = 0; clip < 4; clip++) Patch(path, ClipOffset(clip) + 4, [0xFF, 0xFF, 0xFF, 0x7F]);
        var opened = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        using var openedCache = opened.Cache;
        Assert.True(opened.Built);
        Assert.Contains("fails its checksum", opened.BuildReason);
        Assert.Equal(expected, AllFeatures(opened.Cache));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(-1)]
    public void TruncatedCache_IsRebuilt_WithTheReason(int keep)
    {
        using var dir = new TempFolder();
        var (_, loader, extractor, path) = CacheFixture(dir);
        float[][] expected;
        using (var cache = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond).Cache) expected = AllFeatures(cache);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var e = Assert.Throws<FeatureCacheCorruptException>(() => FeatureCache.Open(path));
        Assert.Contains(path, e.Message);
        var opened = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond);
        using var openedCache = opened.Cache;
        Assert.True(opened.Built);
        Assert.NotNull(opened.BuildReason);
        Assert.Equal(expected, AllFeatures(opened.Cache));
    }

    [Fact]
    public void DataDamagedAfterOpening_IsCaughtOnRead_NamingFileAndClip()
    {
        using var dir = new TempFolder();
        var (_, loader, extractor, path) = CacheFixture(dir);
        using var cache = FeatureCache.OpenOrBuild(path, loader, extractor, HalfSecond).Cache;
        _ = cache.Features(4).ToArray();
        Patch(path, ClipOffset(4) + 2, [0x55]); // the mapping shares the page cache: the read sees the change
        var e = Assert.Throws<FeatureCacheCorruptException>(() => cache.Features(4).ToArray());
        Assert.Contains(path, e.Message);
        Assert.Contains("clip 4", e.Message);
        Assert.Equal(15, cache.Features(3).Length); // other clips still read
    }

    /// <summary>FakeExtractor that writes a NaN for clips of exactly <paramref name="poisonFrames"/> frames.</summary>
    private sealed class PoisonExtractor(int poisonFrames) : IFeatureExtractor
    {
        private readonly FakeExtractor _inner = new();

        public int SampleRate => _inner.SampleRate;

        public int Bins => _inner.Bins;

        public string ConfigKey => _inner.ConfigKey + ";poison";

        public int FrameCount(int sampleCount) => _inner.FrameCount(sampleCount);

        public void Extract(ReadOnlySpan<float> samples, Span<float> destination)
        {
            _inner.Extract(samples, destination);
            if (destination.Length == poisonFrames * Bins) destination[destination.Length / 2] = float.PositiveInfinity;
        }
    }

    [Fact]
    public void NonFiniteFeatures_AreNeverCached_StopNamesFileAndLine_SkipCountsThem_AndTheOldCacheSurvives()
    {
        using var dir = new TempFolder();
        var m = ManifestFixture.Create(dir, 30, 70, 50); // variable length: 3, 7 and 5 frames; the 7-frame clip is poisoned
        var variable = new FeatureCacheOptions(ClipLengthPolicy.Variable, MaxDegreeOfParallelism: 2);
        string path = dir["features.cache"];
        FeatureCache.OpenOrBuild(path, new ManifestAudioLoader(m, 100, new FakeDecoder()), new FakeExtractor(), variable).Cache.Dispose();
        var before = File.ReadAllBytes(path);

        var stop = new ManifestAudioLoader(m, 100, new FakeDecoder());
        var e = Assert.Throws<ClipLoadException>(() => FeatureCache.OpenOrBuild(path, stop, new PoisonExtractor(7), variable));
        Assert.Contains(m.FullPath(1), e.Message);
        Assert.Contains($"{m.SourcePath}:3", e.Message); // entry 1 is on CSV line 3
        Assert.Contains("non-finite", e.Message);
        Assert.Equal(3, e.Line);
        Assert.Equal(before, File.ReadAllBytes(path)); // the failed build left the previous cache as it was

        var skip = new ManifestAudioLoader(m, 100, new FakeDecoder(), UnreadableFilePolicy.Skip);
        var opened = FeatureCache.OpenOrBuild(path, skip, new PoisonExtractor(7), variable);
        using var openedCache = opened.Cache;
        Assert.Equal(2, opened.Cache.ClipCount);
        var skipped = Assert.Single(opened.Skipped);
        Assert.Equal(1, skipped.EntryIndex);
        Assert.Contains("non-finite", skipped.Reason);
        Assert.Contains("line 3", skipped.Reason);
        for (int c = 0; c < opened.Cache.ClipCount; c++) Assert.All(opened.Cache.Features(c).ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void NonFiniteFeatures_InStatistics_NameTheSource()
    {
        var stats = new FeatureStatistics(2);
        var e = Assert.Throws<InvalidDataException>(() => stats.Add([1f, 2f, float.NaN, 4f], 2, "features.cache clip 7 (train)"));
        Assert.Contains("features.cache clip 7 (train)", e.Message);
        Assert.Contains("mel bin 1, frame 0", e.Message);
        Assert.Equal(0, stats.Frames);
    }

    // ---- WAV samples ----

    public static TheoryData<float[], int, int, string> BadFloatWavs() => new()
    {
        { [0.1f, 0.2f, 0.3f, 1e20f, 0.1f], 1, 3, "outside ±16" },
        { [0.1f, 3e38f, -3e38f, 0.2f], 1, 1, "outside ±16" },
        { [0.5f, float.NaN], 1, 1, "not finite" },
        { [0f, float.NegativeInfinity, 0f], 1, 1, "not finite" },
        { [0.1f, 0.1f, 3e38f, 3e38f], 2, 1, "channel 0" }, // a stereo pair whose average would still be "finite"
    };

    [Theory, MemberData(nameof(BadFloatWavs))]
    public void FloatWavSamplesMustBeFiniteAndBounded_ErrorNamesFileAndFirstBadSample(float[] samples, int channels, int badFrame, string fragment)
    {
        using var dir = new TempFolder();
        string path = dir["bad.wav"];
        File.WriteAllBytes(path, WavBytes.Riff(WavBytes.Fmt(3, channels, 16000, 32), WavBytes.Chunk("data", WavBytes.Float32(samples))));
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"sample {badFrame}", e.Message);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Float64WavAboveTheBound_IsRejected_AndFullScaleWithHeadroomIsAccepted()
    {
        using var dir = new TempFolder();
        string bad = dir["bad64.wav"], ok = dir["ok.wav"];
        File.WriteAllBytes(bad, WavBytes.Riff(WavBytes.Fmt(3, 1, 8000, 64), WavBytes.Chunk("data", WavBytes.Float64(0.5, 1e20))));
        Assert.Contains("sample 1", Assert.Throws<AudioFormatException>(() => WavReader.Read(bad)).Message);
        File.WriteAllBytes(ok, WavBytes.Riff(WavBytes.Fmt(3, 1, 8000, 32), WavBytes.Chunk("data", WavBytes.Float32(-1f, 1f, 4f, -15.9f))));
        Assert.Equal([-1f, 1f, 4f, -15.9f], WavReader.Read(ok).Samples);
    }

    private static Manifest WavManifest(TempFolder dir, params (string Name, byte[] Bytes)[] files)
    {
        var entries = new List<ManifestEntry>();
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(dir.Write($"audio/{name}"), bytes);
            entries.Add(new ManifestEntry($"audio/{name}", ["a"], "train"));
        }
        Manifest.Write(dir.Path, new ClassList(["a"]), entries);
        return Manifest.Read(dir.Path);
    }

    private static byte[] GoodWav() => WavBytes.Riff(WavBytes.Fmt(1, 1, 16000, 16), WavBytes.Chunk("data", WavBytes.Int16(1, 2, 3, 4)));

    [Fact]
    public void BadWavInAManifest_StopNamesFileAndCsvLine_SkipCountsIt()
    {
        using var dir = new TempFolder();
        var good = GoodWav();
        var huge = WavBytes.Riff(WavBytes.Fmt(3, 1, 16000, 32), WavBytes.Chunk("data", WavBytes.Float32(0f, 1e20f)));
        var truncated = good[..^3];
        var flipped = (byte[])good.Clone();
        flipped[0] ^= 0x01; // "RIFF" -> "SIFF"
        var m = WavManifest(dir, ("ok.wav", good), ("huge.wav", huge), ("trunc.wav", truncated), ("flip.wav", flipped));

        var stop = new ManifestAudioLoader(m, 16000);
        Assert.NotNull(stop.TryLoad(0));
        for (int entry = 1; entry < 4; entry++)
        {
            var e = Assert.Throws<ClipLoadException>(() => stop.TryLoad(entry));
            Assert.Contains(m.FullPath(entry), e.Message);
            Assert.Contains($"{m.SourcePath}:{entry + 2}", e.Message); // the 1-based CSV line, not the entry index
            Assert.DoesNotContain("manifest entry", e.Message);
        }

        var skip = new ManifestAudioLoader(m, 16000, UnreadableFilePolicy.Skip);
        Assert.Single(skip.LoadAll());
        Assert.Equal(3, skip.SkippedCount);
        Assert.Contains(skip.Skipped, s => s.EntryIndex == 1 && s.Reason.Contains("outside ±16") && s.Reason.Contains("line 3"));
    }

    // ---- Manifests ----

    private static ManifestFormatException BadManifest(TempFolder dir, string csv, int line, string fragment, ManifestReadOptions? options = null)
    {
        dir.Write("classes.txt", "a\nb\n");
        string path = dir.Write("manifest.csv", csv);
        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path, options));
        Assert.Contains(path, e.Message);
        Assert.Equal(line, e.Line);
        if (line > 0) Assert.Contains($"{path}:{line}:", e.Message);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData("path,labels,split\nx.wav,a,train\n../../../etc/passwd,a,train\n", 3, "outside the dataset folder")]
    [InlineData("path,labels,split\n/etc/passwd,a,train\n", 2, "outside the dataset folder")]
    [InlineData("path,labels,split\nsub/../../x.wav,a,train\n", 2, "outside the dataset folder")]
    [InlineData("path,labels,split\ntrain/x.wav,a,train\n./train/x.wav,b,train\n", 3, "duplicate entry './train/x.wav' (first on line 2 as 'train/x.wav', the same file)")]
    [InlineData("path,labels,split\ntrain/x.wav,a,train\ntrain//y/../x.wav,b,val\n", 3, "first on line 2")]
    [InlineData("path,labels,split\nx.wav,a,Train\n", 2, "unknown split 'Train': use train, val, test")]
    [InlineData("path,labels,split\nx.wav,a,train\ny.wav,a,trian\n", 3, "unknown split 'trian'")]
    [InlineData("path,labels,split\nx.wav,a,03\n", 2, "or a fold number")]
    [InlineData("path,labels,split\nx.wav,a,\n", 2, "unknown split ''")]
    [InlineData("path,labels,split\n", 0, "has a header but no entries")]
    public void BadManifests_NameFileAndLine(string csv, int line, string fragment)
    {
        using var dir = new TempFolder();
        BadManifest(dir, csv, line, fragment);
    }

    [Fact]
    public void KnownSplitsAndFolds_AreAccepted_PathsOutsideOnlyWithOptIn_ExtraSplitsOnlyWhenNamed()
    {
        using var dir = new TempFolder();
        dir.Write("classes.txt", "a\n");
        dir.Write("manifest.csv", "path,labels,split\na.wav,a,train\nb.wav,a,val\nc.wav,a,test\nd.wav,a,1\ne.wav,a,10\nf.wav,a,eval\n");
        Assert.Equal(6, Manifest.Read(dir.Path).Count);
        dir.Write("manifest.csv", "path,labels,split\n../outside.wav,a,train\n");
        Assert.Equal(1, Manifest.Read(dir.Path, new ManifestReadOptions { AllowPathsOutsideFolder = true }).Count);
        dir.Write("manifest.csv", "path,labels,split\nx.wav,a,holdout\n");
        Assert.Equal(1, Manifest.Read(dir.Path, new ManifestReadOptions { ExtraSplits = ["holdout"] }).Count);
        BadManifest(dir, "path,labels,split\nx.wav,a,holdout\n", 2, "unknown split 'holdout'");
    }

    [Fact]
    public void AnEmptyTrainingSplit_IsAClearErrorNamingTheManifest()
    {
        using var dir = new TempFolder();
        var e = BadManifest(dir, "path,labels,split\nx.wav,a,val\ny.wav,b,test\n", 0, "no entries in split 'train'",
            new ManifestReadOptions { RequiredSplits = ["train"] });
        Assert.Contains("val (1), test (1)", e.Message);
    }

    [Fact]
    public void ManifestErrors_DoNotTouchTheFilesOnDisk()
    {
        using var dir = new TempFolder();
        const string csv = "path,labels,split\nx.wav,a,Train\n";
        BadManifest(dir, csv, 2, "unknown split");
        Assert.Equal(csv, File.ReadAllText(dir["manifest.csv"]));
        Assert.Equal("a\nb\n", File.ReadAllText(dir["classes.txt"]));
    }

    // ---- Folder trees ----

    [Fact]
    public void FolderTreeMixingSplitAndClassFolders_IsRejectedWithAnExplanation()
    {
        using var dir = new TempFolder();
        dir.Write("train/dog/a.wav", "x");
        dir.Write("cat/b.wav", "x");
        var e = Assert.Throws<InvalidDataException>(() => new FolderTreeConverter().Convert(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("mixes split folders (train) with class folders (cat)", e.Message);
        Assert.Contains("root/<split>/<class>/*.wav", e.Message);
        Assert.False(File.Exists(dir["manifest.csv"]));
    }

    [Fact]
    public void FolderTreeSplitFolderAliases_BecomeKnownSplits()
    {
        using var dir = new TempFolder();
        dir.Write("Train/dog/a.wav", "x");
        dir.Write("validation/dog/b.wav", "x");
        dir.Write("eval/cat/c.wav", "x");
        var data = new FolderTreeConverter().Convert(dir.Path);
        Assert.Equal(["train", "test", "val"], data.Entries.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => e.Split));
    }

    // ---- Atomic writes (Audio's copy of AtomicFile) ----

    [Fact]
    public void AtomicWrite_RemovesStaleTempsOfTheTarget_AndNamesTheTargetOnFailure()
    {
        using var dir = new TempFolder();
        string target = dir["manifest.csv"];
        string stale = dir[$".manifest.csv.{Guid.NewGuid():N}.tmp"];
        File.WriteAllText(stale, "partial");
        AecOfa.Audio.IO.AtomicFile.WriteAllText(target, "path,labels,split\n");
        Assert.False(File.Exists(stale));
        Assert.Equal("path,labels,split\n", File.ReadAllText(target));

        string blocked = dir["blocked"];
        Directory.CreateDirectory(Path.Combine(blocked, "inside"));
        var e = Assert.ThrowsAny<Exception>(() => AecOfa.Audio.IO.AtomicFile.WriteAllText(blocked, "x"));
        Assert.True(e is IOException or UnauthorizedAccessException, e.GetType().Name);
        Assert.Contains($"'{blocked}'", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
