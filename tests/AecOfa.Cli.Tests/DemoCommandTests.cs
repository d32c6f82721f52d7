using AecOfa.Cli.Commands;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

public class DemoCommandTests
{
    [Theory]
    [InlineData("--epochs", "0", "--epochs = 0")]
    [InlineData("--clips", "3", "--clips = 3")]
    [InlineData("--width-multiplier", "7", "--width-multiplier = 7")]
    [InlineData("--budgets", "0", "--budgets: 0 is not a positive number")]
    [InlineData("--budgets", "0,5", "--budgets: 0 is not a positive number")]
    [InlineData("--budgets", "1;2", "--budgets '1;2': item 1 ('1;2') is not a number")]
    public void Out_of_range_options_are_a_clear_error_with_exit_code_2(string option, string value, string message)
    {
        string outDir = Path.Combine(Path.GetTempPath(), "aecofa-demo-never-written-" + Guid.NewGuid().ToString("N"));
        var (code, _, error) = Run("demo", "--out", outDir, option, value);
        Assert.Equal(CliErrors.UsageOrInputError, code);
        Assert.Contains($"aecofa: error: {message}", error);
        Assert.False(Directory.Exists(outDir)); // validated before anything is written
    }

    [Fact]
    public void Demo_is_listed_with_its_options()
    {
        var (code, output, _) = Run("demo", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--out", "--epochs", "--clips", "--width-multiplier", "--seed", "--budgets", "--human-baselines" })
            Assert.Contains(option, output);
    }

    [Fact]
    public void A_malformed_number_is_rejected_by_the_parser()
    {
        var (code, _, error) = Run("demo", "--epochs", "many");
        Assert.NotEqual(0, code);
        Assert.Contains("many", error);
    }
}
