using AecOfa.Audio.Datasets;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets;

public class ManifestAudioLoaderTests
{
    [Fact]
    public void StopPolicyThrowsNamingTheEntryAndFile()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 100, 120, 90);
        dir.Write("clips/clip01.wav", "corrupt header");
        var loader = new ManifestAudioLoader(m, 100, new FakeDecoder());
        Assert.Equal(100, loader.TryLoad(0)!.Samples.Length);
        var e = Assert.Throws<ClipLoadException>(() => loader.TryLoad(1));
        Assert.Equal(1, e.EntryIndex);
        Assert.Contains("clip01.wav", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void SkipPolicyCountsAndListsCorruptAndMissingFiles()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 100, 120, 90, 80);
        dir.Write("clips/clip01.wav", "corrupt");
        File.Delete(dir["clips/clip03.wav"]);
        var loader = new ManifestAudioLoader(m, 100, new FakeDecoder(), UnreadableFilePolicy.Skip);

        var loaded = loader.LoadAll().ToArray();
        Assert.Equal([0, 2], loaded.Select(l => l.EntryIndex));
        Assert.Equal(90, loaded[1].Clip.Samples.Length);
        Assert.Equal(2, loader.SkippedCount);
        Assert.Equal([1, 3], loader.Skipped.Select(s => s.EntryIndex));
        Assert.Contains("InvalidDataException", loader.Skipped[0].Reason);
        Assert.Contains("FileNotFoundException", loader.Skipped[1].Reason);
        Assert.EndsWith("clip03.wav", loader.Skipped[1].Path);
    }

    [Fact]
    public void DecoderBugsAreNotSwallowed()
    {
        using var dir = new TempFolder();
        Manifest m = ManifestFixture.Create(dir, 10);
        var loader = new ManifestAudioLoader(m, 100, new WrongRateDecoder(), UnreadableFilePolicy.Skip);
        Assert.Throws<InvalidOperationException>(() => loader.TryLoad(0));
    }

    private sealed class WrongRateDecoder : IAudioDecoder
    {
        public AudioClip Decode(string path, int sampleRate) => new(new float[4], sampleRate + 1);
    }
}
