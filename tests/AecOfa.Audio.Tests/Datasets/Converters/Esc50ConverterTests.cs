using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class Esc50ConverterTests
{
    private const string Header = "filename,fold,target,category,esc10,src_file,take\n";

    private static void Fixture(TempFolder dir, string rows)
    {
        dir.Write("meta/esc50.csv", Header + rows);
        foreach (string line in rows.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            dir.Write("audio/" + line.Split(',')[0]);
    }

    [Fact]
    public void WritesManifestWithFoldSplitsAndTargetOrderedClasses()
    {
        using var dir = new TempFolder();
        Fixture(dir, "1-100-A-1.wav,1,1,rooster,False,100,A\n2-200-A-0.wav,2,0,dog,True,200,A\n5-300-B-1.wav,5,1,rooster,False,300,B\n");
        ConversionSummary s = ManifestConverters.Convert("esc50", dir.Path);

        Manifest m = Manifest.Read(s.ManifestPath, new ManifestReadOptions(CheckAudioExists: true));
        Assert.Equal(["dog", "rooster"], m.Classes.Names);
        Assert.Equal(["audio/1-100-A-1.wav", "audio/2-200-A-0.wav", "audio/5-300-B-1.wav"], m.Entries.Select(e => e.Path));
        Assert.Equal(["1", "2", "5"], m.Entries.Select(e => e.Split));
        Assert.Equal(["rooster"], m.Entries[0].Labels);
        Assert.Equal(3, s.EntryCount);
        Assert.Equal(1, s.EntriesPerSplit["5"]);
    }

    [Fact]
    public void OutputFolderRebasesPaths()
    {
        using var dir = new TempFolder();
        Fixture(dir, "1-1-A-0.wav,1,0,dog,True,1,A\n");
        ConversionSummary s = ManifestConverters.Convert("ESC50", dir.Path, dir["out/esc"]);
        Manifest m = Manifest.Read(s.ManifestPath, new ManifestReadOptions(CheckAudioExists: true) { AllowPathsOutsideFolder = true });
        Assert.Equal("../../audio/1-1-A-0.wav", m.Entries[0].Path);
    }

    [Fact]
    public void InconsistentCategoryDuplicateAndMissingFileGiveLines()
    {
        using var dir = new TempFolder();
        Fixture(dir, "a.wav,1,0,dog,x,1,A\nb.wav,1,0,cat,x,1,A\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("esc50", dir.Path));
        Assert.Equal(3, e.Line);
        Assert.Contains("'dog' on line 2", e.Message);

        Fixture(dir, "a.wav,1,0,dog,x,1,A\na.wav,2,0,dog,x,1,A\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("esc50", dir.Path));
        Assert.Equal(3, e.Line);
        Assert.Contains("duplicate filename", e.Message);

        dir.Write("meta/esc50.csv", Header + "a.wav,1,0,dog,x,1,A\nnothere.wav,1,0,dog,x,1,A\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("esc50", dir.Path));
        Assert.Equal(3, e.Line);
        Assert.Contains("nothere.wav", e.Message);
        Assert.False(File.Exists(dir["manifest.csv"]));
    }

    [Fact]
    public void NonContiguousTargetsAreAnError()
    {
        using var dir = new TempFolder();
        Fixture(dir, "a.wav,1,0,dog,x,1,A\nb.wav,1,2,cat,x,1,A\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("esc50", dir.Path));
        Assert.Contains("1 is missing", e.Message);
    }

    [Fact]
    public void UnknownFormatListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ManifestConverters.Convert("nope", "."));
        foreach (string f in new[] { "esc50", "urbansound8k", "fsd50k", "audioset", "speechcommands", "fsdd", "folders" })
            Assert.Contains(f, e.Message);
    }
}
