using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class UrbanSound8KConverterTests
{
    private const string Header = "slice_file_name,fsID,start,end,salience,fold,classID,class\n";

    [Fact]
    public void UsesFoldFoldersAndClassIdOrder()
    {
        using var dir = new TempFolder();
        dir.Write("metadata/UrbanSound8K.csv", Header +
            "100032-3-0-0.wav,100032,0.0,0.31,1,5,3,dog_bark\n" +
            "7061-6-0-0.wav,7061,0.0,2.0,1,10,0,air_conditioner\n" +
            "7062-1-0-0.wav,7062,0.0,2.0,2,10,1,car_horn\n" +
            "7063-2-0-0.wav,7063,0.0,2.0,2,1,2,children_playing\n");
        dir.Write("audio/fold5/100032-3-0-0.wav");
        dir.Write("audio/fold10/7061-6-0-0.wav");
        dir.Write("audio/fold10/7062-1-0-0.wav");
        dir.Write("audio/fold1/7063-2-0-0.wav");

        ManifestConverters.Convert("urbansound8k", dir.Path);
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));
        Assert.Equal(["air_conditioner", "car_horn", "children_playing", "dog_bark"], m.Classes.Names);
        Assert.Equal("audio/fold5/100032-3-0-0.wav", m.Entries[0].Path);
        Assert.Equal(["5", "10", "10", "1"], m.Entries.Select(e => e.Split));
    }

    [Fact]
    public void MissingSliceAndMissingMetadataAreNamed()
    {
        using var dir = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => ManifestConverters.Convert("urbansound8k", dir.Path));
        dir.Write("metadata/UrbanSound8K.csv", Header + "a.wav,1,0,1,1,1,0,dog\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("urbansound8k", dir.Path));
        Assert.Equal(2, e.Line);
        Assert.Contains("audio/fold1/a.wav", e.Message);
    }

    [Fact]
    public void MissingColumnIsNamed()
    {
        using var dir = new TempFolder();
        dir.Write("metadata/UrbanSound8K.csv", "slice_file_name,fold,class\na.wav,1,dog\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("urbansound8k", dir.Path));
        Assert.Equal(1, e.Line);
        Assert.Contains("classID", e.Message);
    }
}
