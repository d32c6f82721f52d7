using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>`aecofa search --max-latency-ms X --latency-table T.json`: bad combinations are one-line errors naming the option.</summary>
public sealed class SearchCommandTests
{
    [Fact]
    public void MaxLatencyWithoutTable_IsAnErrorNamingTheTableOption()
    {
        var (code, _, err) = Run("search", "no-such-run", "--budgets", "1", "--max-latency-ms", "0.5");
        Assert.Equal(2, code);
        Assert.Contains("--max-latency-ms needs a latency model: give --latency-table", err);
    }

    [Fact]
    public void MissingOrBadTable_IsAnErrorNamingTheTableOption()
    {
        var (code, _, err) = Run("search", "no-such-run", "--budgets", "1", "--max-latency-ms", "0.5", "--latency-table", "no-such-table.json");
        Assert.Equal(2, code);
        Assert.Contains("--latency-table:", err);
        Assert.Contains("does not exist", err);
        string bad = Path.GetTempFileName();
        try
        {
            File.WriteAllText(bad, "{\"format\":\"other\"}");
            (code, _, err) = Run("search", "no-such-run", "--budgets", "1", "--max-latency-ms", "0.5", "--latency-table", bad);
            Assert.Equal(2, code);
            Assert.Contains("--latency-table:", err);
            Assert.Contains("format", err);
        }
        finally { File.Delete(bad); }
    }

    [Fact]
    public void NonPositiveLimit_IsAnErrorNamingTheOption()
    {
        var (code, _, err) = Run("search", "no-such-run", "--budgets", "1", "--max-latency-ms", "0");
        Assert.Equal(2, code);
        Assert.Contains("--max-latency-ms = 0", err);
    }
}
