using AecOfa.Audio.IO;

namespace AecOfa.Audio.Tests.IO;

public class CsvReaderTests
{
    private static CsvRecord[] Parse(string text, CsvReaderOptions? options = null) =>
        CsvReader.Read(new StringReader(text), "t.csv", options).ToArray();

    [Fact]
    public void QuotedFieldsKeepCommasQuotesAndLineBreaks()
    {
        CsvRecord[] rows = Parse("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\n");
        Assert.Equal(["a", "b,c", "say \"hi\""], rows[0].Fields);
        Assert.Equal(["multi\nline", "x", ""], rows[1].Fields);
        Assert.Equal(2, rows[1].LineNumber);
    }

    [Fact]
    public void LineNumbersCountPhysicalLinesAndSkipBlankAndComments()
    {
        CsvRecord[] rows = Parse("\uFEFF# c\nh1,h2\n\n\"a\nb\",1\nz,2\n", new CsvReaderOptions(CommentPrefix: "#"));
        Assert.Equal("h1", rows[0].Fields[0]);
        Assert.Equal([2, 4, 6], rows.Select(r => r.LineNumber));
    }

    [Fact]
    public void SpaceBeforeQuoteIsToleratedWhenAsked()
    {
        CsvRecord[] rows = Parse("--id, 30.000, 40.000, \"/m/a,/m/b\"\n", new CsvReaderOptions(TrimSpaceBeforeQuote: true));
        Assert.Equal(["--id", " 30.000", " 40.000", "/m/a,/m/b"], rows[0].Fields);
    }

    [Fact]
    public void UnclosedQuoteNamesFileAndLine()
    {
        var e = Assert.Throws<CsvFormatException>(() => Parse("a,b\nc,\"d\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("t.csv:2", e.Message);
    }

    [Fact]
    public void StrayQuoteInUnquotedFieldIsAnError()
    {
        var e = Assert.Throws<CsvFormatException>(() => Parse("a,b\"c\n"));
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void WriterQuotesOnlyWhenNeededAndRoundTrips()
    {
        Assert.Equal("plain", CsvWriter.Quote("plain"));
        Assert.Equal("\"a,b\"", CsvWriter.Quote("a,b"));
        Assert.Equal("\"x\"\"y\"", CsvWriter.Quote("x\"y"));
        var text = new System.Text.StringBuilder();
        CsvWriter.AppendRecord(text, "a,b", "q\"", " edge ", "");
        Assert.Equal(["a,b", "q\"", " edge ", ""], Parse(text.ToString())[0].Fields);
    }
}
