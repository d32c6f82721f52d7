using AecOfa.Cli.Commands;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

public sealed class TrainCommandTests
{
    private static string NeverWritten() => Path.Combine(Path.GetTempPath(), "aecofa-train-never-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("train", "--learning-rate", "0,1")]
    [InlineData("train", "--epochs", "1,000")]
    [InlineData("train", "--clip-seconds", "0,5")]
    [InlineData("experiment", "--width-multiplier", "0,25")]
    [InlineData("demo", "--clips", "1,200")]
    public void Numbers_with_group_separators_are_refused_by_every_command(string command, string option, string value)
    {
        string outDir = NeverWritten();
        var (code, _, error) = Run(command, "--out", outDir, "--manifest", "x", option, value);
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains($"{option}: '{value}' is not", error);
        Assert.Contains("group separators are not accepted", error);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("--strategy standalone", "--arch")]
    [InlineData("--strategy kd --arch smallest", "--teacher")]
    [InlineData("--strategy progressive", "--teacher")]
    [InlineData("--strategy full --learning-rate 20", "--learning-rate = 20")]
    [InlineData("--strategy sandwich --random-subnets 99", "--random-subnets = 99")]
    [InlineData("--strategy sandwich --student-teacher elsewhere", "--student-teacher")]
    [InlineData("--strategy standalone --arch smallest --warm-start true", "--warm-start")]
    public void Inconsistent_settings_are_a_clear_error_before_anything_is_written(string options, string named)
    {
        string outDir = NeverWritten();
        var (code, _, error) = Run(["train", "--manifest", "missing-manifest.csv", "--out", outDir, .. options.Split(' ')]);
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains(named, error);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("experiment")]
    public void A_missing_manifest_is_named_and_nothing_is_written(string command)
    {
        string outDir = NeverWritten();
        var (code, _, error) = Run(command, "--manifest", "/no/such/manifest.csv", "--out", outDir);
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains("/no/such/manifest.csv", error);
        Assert.False(Directory.Exists(outDir)); // nothing written for a run that cannot start
    }

    [Fact]
    public void Search_of_a_folder_that_is_not_a_run_says_so()
    {
        var (code, _, error) = Run("search", Path.GetTempPath(), "--budgets", "1");
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains("not a training run folder", error);
        (code, _, error) = Run("search", Path.GetTempPath(), "--budgets", "1;2");
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains("--budgets", error);
    }

    [Fact]
    public void Every_command_is_listed_with_help()
    {
        foreach (var command in new[] { "train", "search", "experiment", "extract", "eval" })
        {
            var (code, output, _) = Run(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Usage:", output);
        }
    }
}
