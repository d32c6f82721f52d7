using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class FolderTreeConverterTests
{
    [Fact]
    public void FlatTreeGivesTrainSplitAndParentFolderClass()
    {
        using var dir = new TempFolder();
        dir.Write("dog/a.wav");
        dir.Write("dog/b.WAV");
        dir.Write("cat, wild/c.wav");
        dir.Write("cat, wild/notes.txt", "ignored");
        dir.Write(".hidden/x.wav");
        ManifestConverters.Convert("folders", dir.Path);
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));

        Assert.Equal(["cat, wild", "dog"], m.Classes.Names);
        Assert.Equal(["cat, wild/c.wav", "dog/a.wav", "dog/b.WAV"], m.Entries.Select(e => e.Path));
        Assert.All(m.Entries, e => Assert.Equal("train", e.Split));
        Assert.Equal(["cat, wild"], m.Entries[0].Labels);
    }

    [Fact]
    public void SplitFoldersBecomeSplits()
    {
        using var dir = new TempFolder();
        dir.Write("train/dog/a.wav");
        dir.Write("train/cat/b.wav");
        dir.Write("test/dog/c.wav");
        ManifestConverters.Convert("folders", dir.Path, dir["out"]);
        Manifest m = Manifest.Read(dir["out"], new ManifestReadOptions(CheckAudioExists: true) { AllowPathsOutsideFolder = true });

        Assert.Equal(["cat", "dog"], m.Classes.Names);
        Assert.Equal(["../test/dog/c.wav", "../train/cat/b.wav", "../train/dog/a.wav"], m.Entries.Select(e => e.Path));
        Assert.Equal(["test", "train", "train"], m.Entries.Select(e => e.Split));
    }

    [Fact]
    public void EmptyRootIsAnError()
    {
        using var dir = new TempFolder();
        Assert.Throws<DirectoryNotFoundException>(() => ManifestConverters.Convert("folders", dir.Path));
        Assert.Throws<DirectoryNotFoundException>(() => ManifestConverters.Convert("folders", dir["nope"]));
    }
}
