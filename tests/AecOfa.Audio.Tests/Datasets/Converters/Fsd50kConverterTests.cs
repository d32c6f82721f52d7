using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class Fsd50kConverterTests
{
    private static void Fixture(TempFolder dir, string devRows, string evalRows)
    {
        dir.Write("FSD50K.ground_truth/vocabulary.csv", "0,Accordion,/m/0mkg\n1,Bark,/m/05tny_\n2,Music,/m/04rlf\n");
        dir.Write("FSD50K.ground_truth/dev.csv", "fname,labels,mids,split\n" + devRows);
        dir.Write("FSD50K.ground_truth/eval.csv", "fname,labels,mids\n" + evalRows);
        foreach (string row in devRows.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            dir.Write($"FSD50K.dev_audio/{row.Split(',')[0]}.wav");
        foreach (string row in evalRows.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            dir.Write($"FSD50K.eval_audio/{row.Split(',')[0]}.wav");
    }

    [Fact]
    public void MultiLabelRowsBecomeSemicolonLabelsWithSplits()
    {
        using var dir = new TempFolder();
        Fixture(dir,
            "64760,\"Accordion,Music\",\"/m/0mkg,/m/04rlf\",train\n16399,Bark,/m/05tny_,val\n",
            "37199,\"Music,Bark\",\"/m/04rlf,/m/05tny_\"\n");
        ManifestConverters.Convert("fsd50k", dir.Path);
        Assert.Contains("FSD50K.dev_audio/64760.wav,Accordion;Music,train", File.ReadAllText(dir["manifest.csv"]));
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));
        Assert.Equal(["Accordion", "Bark", "Music"], m.Classes.Names);
        Assert.Equal(["train", "val", "test"], m.Entries.Select(e => e.Split));
        Assert.Equal(["Music", "Bark"], m.Entries[2].Labels);
        Assert.Equal([0f, 1f, 1f], m.Target(2));
    }

    [Fact]
    public void UnknownLabelAndDuplicateGiveLines()
    {
        using var dir = new TempFolder();
        Fixture(dir, "1,Accordion,/m/0mkg,train\n2,\"Music,Kazoo\",x,train\n", "");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("fsd50k", dir.Path));
        Assert.Equal(3, e.Line);
        Assert.EndsWith("dev.csv", e.File);
        Assert.Contains("unknown label 'Kazoo'", e.Message);

        Fixture(dir, "1,Accordion,/m/0mkg,train\n", "3,Bark,x\n3,Music,x\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("fsd50k", dir.Path));
        Assert.Equal(3, e.Line);
        Assert.EndsWith("eval.csv", e.File);
    }

    [Fact]
    public void MissingAudioGivesLine()
    {
        using var dir = new TempFolder();
        Fixture(dir, "1,Accordion,/m/0mkg,train\n", "");
        File.Delete(dir["FSD50K.dev_audio/1.wav"]);
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("fsd50k", dir.Path));
        Assert.Equal(2, e.Line);
        Assert.Contains("FSD50K.dev_audio/1.wav", e.Message);
    }
}
