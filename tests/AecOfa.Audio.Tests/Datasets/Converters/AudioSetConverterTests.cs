using AecOfa.Audio.Datasets;
using AecOfa.Audio.Datasets.Converters;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets.Converters;

public class AudioSetConverterTests
{
    private const string Classes = "index,mid,display_name\n0,/m/09x0r,\"Speech\"\n1,/m/05zppz,\"Male speech, man speaking\"\n2,/m/0jbk,\"Animal\"\n";

    private const string Comments = "# Segments csv created Sun Mar  5 10:54:31 2017\n# num_ytids=3, num_segs=3, num_unique_labels=3, num_positive_labels=4\n# YTID, start_seconds, end_seconds, positive_labels\n";

    [Fact]
    public void ResolvesDocumentedNamingsAndReportsMissingSegments()
    {
        using var dir = new TempFolder();
        dir.Write("class_labels_indices.csv", Classes);
        dir.Write("balanced_train_segments.csv", Comments +
            "--PJHxphWEs, 30.000, 40.000, \"/m/09x0r,/m/05zppz\"\n" +
            "--ZhevVpy1s, 50.000, 60.000, \"/m/0jbk\"\n" +
            "--aE2O5G5WE, 0.000, 10.000, \"/m/09x0r\"\n");
        dir.Write("eval_segments.csv", Comments + "-0RWZT-miFs, 420.000, 430.000, \"/m/0jbk\"\n");
        dir.Write("audio/balanced_train/--PJHxphWEs_30.wav");
        dir.Write("audio/balanced_train/Y--aE2O5G5WE.wav");
        dir.Write("audio/eval/-0RWZT-miFs_420.000_430.000.wav");

        ConversionSummary s = ManifestConverters.Convert("audioset", dir.Path);
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true));

        Assert.Equal(["Speech", "Male speech, man speaking", "Animal"], m.Classes.Names);
        Assert.Equal(["audio/balanced_train/--PJHxphWEs_30.wav", "audio/balanced_train/Y--aE2O5G5WE.wav", "audio/eval/-0RWZT-miFs_420.000_430.000.wav"],
            m.Entries.Select(e => e.Path));
        Assert.Equal(["balanced_train", "balanced_train", "eval"], m.Entries.Select(e => e.Split));
        Assert.Equal(["Speech", "Male speech, man speaking"], m.Entries[0].Labels);
        Assert.Equal(1, s.MissingCount);
        string missing = Assert.Single(s.MissingFiles);
        Assert.Contains("balanced_train_segments.csv:5", missing);
        Assert.Contains("--ZhevVpy1s", missing);
    }

    [Fact]
    public void UnknownMidAndDuplicateSegmentGiveLines()
    {
        using var dir = new TempFolder();
        dir.Write("class_labels_indices.csv", Classes);
        dir.Write("eval_segments.csv", Comments + "abc, 0.000, 10.000, \"/m/09x0r,/m/nope\"\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("audioset", dir.Path));
        Assert.Equal(4, e.Line);
        Assert.Contains("unknown label id '/m/nope'", e.Message);

        dir.Write("eval_segments.csv", Comments + "abc, 0.000, 10.000, \"/m/09x0r\"\nabc, 0.000, 10.000, \"/m/0jbk\"\n");
        e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("audioset", dir.Path));
        Assert.Equal(5, e.Line);
        Assert.Contains("first on line 4", e.Message);
    }

    [Fact]
    public void WrongColumnCountGivesLine()
    {
        using var dir = new TempFolder();
        dir.Write("class_labels_indices.csv", Classes);
        dir.Write("eval_segments.csv", "abc, 0.000, \"/m/09x0r\"\n");
        var e = Assert.Throws<ManifestFormatException>(() => ManifestConverters.Convert("audioset", dir.Path));
        Assert.Equal(1, e.Line);
        Assert.Contains("expected 4", e.Message);
    }

    [Fact]
    public void CandidateStemsCoverDocumentedNames()
    {
        string[] stems = AudioSetConverter.CandidateStems("id", "30.000", "40.000").ToArray();
        Assert.Contains("id_30.000_40.000", stems);
        Assert.Contains("id_30_40", stems);
        Assert.Contains("id_30", stems);
        Assert.Contains("id", stems);
        Assert.Contains("Yid", stems);
    }
}
