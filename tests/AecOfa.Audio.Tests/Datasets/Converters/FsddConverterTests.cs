using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class FsddConverterTests
{
    [Fact]
    public void DigitIsLabelAndIndexBelowFiveIsTest()
    {
        using var dir = new TempFolder();
        foreach (string f in new[] { "0_jackson_0.wav", "0_jackson_4.wav", "0_jackson_5.wav", "7_theo_49.wav", "9_nicolas_12.wav" })
            dir.Write("recordings/" + f);
        ManifestConverters.Convert("fsdd", dir.Path);
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));

        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString()), m.Classes.Names);
        var byPath = m.Entries.ToDictionary(e => e.Path);
        Assert.Equal("test", byPath["recordings/0_jackson_0.wav"].Split);
        Assert.Equal("test", byPath["recordings/0_jackson_4.wav"].Split);
        Assert.Equal("train", byPath["recordings/0_jackson_5.wav"].Split);
        Assert.Equal("train", byPath["recordings/7_theo_49.wav"].Split);
        Assert.Equal(["7"], byPath["recordings/7_theo_49.wav"].Labels);
    }

    [Fact]
    public void BadFileNameIsNamed()
    {
        using var dir = new TempFolder();
        dir.Write("recordings/0_jackson_0.wav");
        dir.Write("recordings/seven.wav");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("fsdd", dir.Path));
        Assert.EndsWith("seven.wav", e.File);
    }
}
