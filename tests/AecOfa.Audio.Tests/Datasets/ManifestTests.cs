using AecOfa.Audio.Datasets;
using AecOfa.Audio.Tests.Support;

namespace AecOfa.Audio.Tests.Datasets;

public class ManifestTests
{
    private static void WriteClasses(TempFolder dir, params string[] names) =>
        dir.Write("classes.txt", string.Join("\n", names) + "\n");

    [Fact]
    public void WriteThenReadRoundTripsQuotedPathsLabelsAndSplits()
    {
        using var dir = new TempFolder();
        var classes = new ClassList(["dog", "Male speech, man speaking", "rain"]);
        ManifestEntry[] entries =
        [
            new("a/one,two.wav", ["dog", "rain"], "train"),
            new("b/\"quoted\".wav", ["Male speech, man speaking"], "1"),
            new("c/plain.wav", ["rain"], "test"),
        ];
        Manifest.Write(dir.Path, classes, entries);
        Manifest m = Manifest.Read(dir.Path);

        Assert.Equal(3, m.Count);
        for (int i = 0; i < entries.Length; i++)
        {
            Assert.Equal(entries[i].Path, m.Entries[i].Path);
            Assert.Equal(entries[i].Labels, m.Entries[i].Labels);
            Assert.Equal(entries[i].Split, m.Entries[i].Split);
        }
        Assert.Equal([0, 2], m.LabelIndices(0).ToArray());
        Assert.Equal([1f, 0f, 1f], m.Target(0));
        Assert.Equal([1], m.IndicesOfSplit("1"));
        Assert.Equal(dir["a/one,two.wav"], m.FullPath(0));
        Assert.Equal(classes.Names, m.Classes.Names);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void BomAndCrlfAreTolerated()
    {
        using var dir = new TempFolder();
        dir.Write("classes.txt", "\uFEFFa\r\nb\r\n\r\n");
        dir.Write("manifest.csv", "\uFEFFpath,labels,split\r\nx.wav,a;b,train\r\ny.wav,b,val\r\n");
        Manifest m = Manifest.Read(dir["manifest.csv"]);
        Assert.Equal(["a", "b"], m.Classes.Names);
        Assert.Equal(["a", "b"], m.Entries[0].Labels);
        Assert.Equal("val", m.Entries[1].Split);
    }

    [Fact]
    public void ContentHashIgnoresFormattingButSeesContent()
    {
        using var dir = new TempFolder();
        WriteClasses(dir, "a", "b");
        dir.Write("manifest.csv", "path,labels,split\nx.wav,a,train\n");
        byte[] h1 = Manifest.Read(dir.Path).ContentHash();
        dir.Write("manifest.csv", "\uFEFFpath,labels,split\r\n\"x.wav\",a,train\r\n");
        Assert.Equal(h1, Manifest.Read(dir.Path).ContentHash());
        dir.Write("manifest.csv", "path,labels,split\nx.wav,b,train\n");
        Assert.NotEqual(h1, Manifest.Read(dir.Path).ContentHash());
    }

    [Theory]
    [InlineData("path,labels,split\nx.wav,a,train\ny.wav,zebra,train\n", 3, "unknown label 'zebra'")]
    [InlineData("path,labels,split\nx.wav,a,train\nx.wav,b,val\n", 3, "duplicate entry 'x.wav' (first on line 2)")]
    [InlineData("path,labels,split\nx.wav,a\n", 2, "2 columns, expected 3")]
    [InlineData("path,labels,split\nx,y.wav,a,train\n", 2, "4 columns, expected 3")]
    [InlineData("path,labels,split\nx.wav,,train\n", 2, "has no labels")]
    [InlineData("path,labels,split\nx.wav,a;;b,train\n", 2, "empty label")]
    [InlineData("path,labels,split\nx.wav,a;a,train\n", 2, "listed twice")]
    [InlineData("file,label\nx.wav,a\n", 1, "expected 'path,labels,split'")]
    [InlineData("path,labels,split\nx.wav,\"a,train\n", 2, "not closed")]
    public void BadManifestGivesFileAndLine(string text, int line, string fragment)
    {
        using var dir = new TempFolder();
        WriteClasses(dir, "a", "b");
        dir.Write("manifest.csv", text);
        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path));
        Assert.Equal(line, e.Line);
        Assert.EndsWith("manifest.csv", e.File);
        Assert.Contains(fragment, e.Message);
        Assert.Contains($"manifest.csv:{line}:", e.Message);
    }

    [Fact]
    public void EmptyLabelsAreAcceptedWhenAllowed()
    {
        using var dir = new TempFolder();
        WriteClasses(dir, "a");
        dir.Write("manifest.csv", "path,labels,split\nx.wav,,test\n");
        Manifest m = Manifest.Read(dir.Path, new ManifestReadOptions(AllowEmptyLabels: true));
        Assert.Empty(m.Entries[0].Labels);
        Assert.Equal([0f], m.Target(0));
    }

    [Fact]
    public void MissingAudioIsReportedOnlyWhenChecked()
    {
        using var dir = new TempFolder();
        WriteClasses(dir, "a");
        dir.Write("here.wav");
        dir.Write("manifest.csv", "path,labels,split\nhere.wav,a,train\ngone.wav,a,train\n");
        Assert.Equal(2, Manifest.Read(dir.Path).Count);
        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path, new ManifestReadOptions(CheckAudioExists: true)));
        Assert.Equal(3, e.Line);
        Assert.Contains("gone.wav", e.Message);
    }

    [Fact]
    public void BadClassListGivesLine()
    {
        using var dir = new TempFolder();
        dir.Write("manifest.csv", "path,labels,split\n");
        dir.Write("classes.txt", "a\nb\na\n");
        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path));
        Assert.Equal(3, e.Line);
        Assert.Contains("listed twice", e.Message);
        dir.Write("classes.txt", "a\n\nb\n");
        Assert.Equal(2, Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path)).Line);
        dir.Write("classes.txt", "a;b\n");
        Assert.Contains("separator", Assert.Throws<ManifestFormatException>(() => Manifest.Read(dir.Path)).Message);
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        using var dir = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => Manifest.Read(dir.Path));
        dir.Write("manifest.csv", "path,labels,split\n");
        var e = Assert.Throws<FileNotFoundException>(() => Manifest.Read(dir.Path));
        Assert.Contains("classes.txt", e.Message);
    }

    [Fact]
    public void ClassListMapsLabelsAndMultiHot()
    {
        var classes = new ClassList(["x", "y", "z"]);
        Assert.Equal(2, classes.IndexOf("z"));
        Assert.False(classes.TryGetIndex("w", out _));
        Assert.Throws<KeyNotFoundException>(() => classes.IndexOf("w"));
        Assert.Equal([0f, 1f, 1f], classes.MultiHot(["z", "y"]));
        var dst = new float[] { 5, 5, 5 };
        ClassList.FillMultiHot([0], dst);
        Assert.Equal([1f, 0f, 0f], dst);
    }
}
