using AecOfa.Cli;
using AecOfa.Cli.Commands;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>Command-line numbers are culture-invariant and strict; bad values are one-line errors naming the option (exit 2).</summary>
public class StrictInputTests
{
    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData("-2.5e-3", -2.5e-3)]
    [InlineData("1E3", 1000.0)]
    [InlineData("3", 3.0)]
    public void StrictDoubles_Parse(string text, double expected)
    {
        Assert.True(StrictNumbers.TryParseDouble("--x", text, out double value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0,1", "group separators are not accepted")]
    [InlineData("1,000.5", "group separators are not accepted")]
    [InlineData("1 000", "group separators are not accepted")]
    [InlineData("NaN", "must be finite")]
    [InlineData("Infinity", "must be finite")]
    [InlineData("", "empty")]
    [InlineData("0x10", "write it like")]
    public void StrictDoubles_RefuseWithAReason(string text, string reason)
    {
        Assert.False(StrictNumbers.TryParseDouble("--learning-rate", text, out _, out string? error));
        Assert.StartsWith($"--learning-rate: '{text}' is not a number", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void StrictInts_RefuseSeparatorsAndFractions()
    {
        Assert.True(StrictNumbers.TryParseInt("--train", "-12", out int v, out _));
        Assert.Equal(-12, v);
        Assert.False(StrictNumbers.TryParseInt("--train", "1,000", out _, out string? e1));
        Assert.Contains("group separators", e1);
        Assert.False(StrictNumbers.TryParseInt("--train", "2.5", out _, out string? e2));
        Assert.Contains("a whole number is expected", e2);
    }

    [Theory]
    [InlineData("--seconds", "1,5", "--seconds: '1,5' is not a number: group separators are not accepted")]
    [InlineData("--train", "0,1", "--train: '0,1' is not a whole number: group separators are not accepted")]
    [InlineData("--seconds", "NaN", "--seconds: 'NaN' is not a number: it must be finite")]
    [InlineData("--train", "-1", "--train: must be in [0, 536870912), got -1.")]
    [InlineData("--sample-rate", "1000", "--sample-rate: must be in [8000, 48000] Hz, got 1000.")]
    public void Synth_BadNumbers_AreOneLineErrorsNamingTheOption(string option, string value, string message)
    {
        string dir = Directory.CreateTempSubdirectory("aecofa-cli").FullName;
        try
        {
            var args = new List<string> { "synth", "--out", dir, "--val", "1", "--test", "1", option, value };
            if (option != "--train") args.AddRange(["--train", "2"]);
            var (code, _, err) = Run([.. args]);
            Assert.Equal(2, code);
            Assert.Contains(message, err);
            Assert.DoesNotContain("SyntheticEventsOptions", err);
            Assert.DoesNotContain("Parameter", err);
            Assert.Empty(Directory.GetFiles(dir)); // nothing written
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Bench_Threads_AreStrictInts()
    {
        var (code, _, err) = Run("bench", "--no-training", "--threads", "1,2");
        Assert.Equal(2, code);
        Assert.Contains("--threads: '1,2' is not a whole number: group separators are not accepted", err);
    }

    [Fact]
    public void DivergedTraining_IsAnInputErrorThatSuggestsTheLearningRate()
    {
        var err = new StringWriter();
        int code = CliErrors.Guard(err, () => throw new ArgumentException("BatchNorm2dEval: running variance of channel 0 is NaN; var + eps must be > 0.", "runningVar"));
        Assert.Equal(2, code);
        Assert.Contains("running variance of channel 0 is NaN", err.ToString());
        Assert.Contains("lower --learning-rate", err.ToString());
        Assert.DoesNotContain("Parameter", err.ToString());

        err = new StringWriter();
        code = CliErrors.Guard(err, () => throw new AecOfa.Engine.Ops.NonFiniteLossException("sandwich/largest", 17, float.NaN));
        Assert.Equal(2, code);
        Assert.Contains("at step 17", err.ToString());
        Assert.Contains("Lower the learning rate", err.ToString());
    }
}
