using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class SpeechCommandsConverterTests
{
    private static void Fixture(TempFolder dir)
    {
        foreach (string f in new[] { "yes/a_nohash_0.wav", "yes/b_nohash_0.wav", "yes/c_nohash_0.wav", "no/a_nohash_0.wav", "no/d_nohash_1.wav" })
            dir.Write(f);
        dir.Write("_background_noise_/white_noise.wav");
        dir.Write("LICENSE", "x");
    }

    [Fact]
    public void ListsDecideSplitsAndBackgroundNoiseIsExcluded()
    {
        using var dir = new TempFolder();
        Fixture(dir);
        dir.Write("validation_list.txt", "yes/b_nohash_0.wav\n");
        dir.Write("testing_list.txt", "yes/c_nohash_0.wav\r\nno/d_nohash_1.wav\r\n");
        ManifestConverters.Convert("speechcommands", dir.Path);
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));

        Assert.Equal(["no", "yes"], m.Classes.Names);
        Assert.Equal(5, m.Count);
        Assert.DoesNotContain(m.Entries, e => e.Path.Contains("_background_noise_"));
        var split = m.Entries.ToDictionary(e => e.Path, e => e.Split);
        Assert.Equal("train", split["yes/a_nohash_0.wav"]);
        Assert.Equal("val", split["yes/b_nohash_0.wav"]);
        Assert.Equal("test", split["yes/c_nohash_0.wav"]);
        Assert.Equal("test", split["no/d_nohash_1.wav"]);
        Assert.Equal(["no"], m.Entries.Single(e => e.Path == "no/a_nohash_0.wav").Labels);
    }

    [Fact]
    public void BadListLinesAreNamed()
    {
        using var dir = new TempFolder();
        Fixture(dir);
        dir.Write("testing_list.txt", "yes/c_nohash_0.wav\nmaybe/x.wav\n");
        dir.Write("validation_list.txt", "");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("speechcommands", dir.Path));
        Assert.Equal(2, e.Line);
        Assert.Contains("unknown label 'maybe'", e.Message);

        dir.Write("testing_list.txt", "yes/zzz.wav\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("speechcommands", dir.Path));
        Assert.Equal(1, e.Line);
        Assert.Contains("does not exist", e.Message);

        dir.Write("testing_list.txt", "yes/c_nohash_0.wav\n");
        dir.Write("validation_list.txt", "no/a_nohash_0.wav\nyes/c_nohash_0.wav\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("speechcommands", dir.Path));
        Assert.Equal(2, e.Line);
        Assert.EndsWith("validation_list.txt", e.File);
        Assert.Contains("duplicate", e.Message);
    }
}
