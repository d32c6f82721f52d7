using AecOfa.Engine;
using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>`--device` on the training and evaluation commands: choices named, CUDA absence explained.</summary>
public class DeviceOptionTests
{
    private static bool CudaPresent()
    {
        try { ComputeDevice.Cuda(); return true; }
        catch (ComputeDeviceUnavailableException) { return false; }
    }

    [Theory]
    [InlineData("train")]
    [InlineData("search")]
    [InlineData("eval")]
    [InlineData("demo")]
    [InlineData("experiment")]
    public void EveryTrainingAndEvaluationCommand_HasTheOption(string command)
    {
        var (code, output, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--device", output);
        Assert.Contains("cuda", output);
    }

    [Fact]
    public void UnknownDevice_NamesTheChoices()
    {
        var (code, _, err) = Run("train", "--manifest", "m.csv", "--out", "x", "--device", "tpu");
        Assert.Equal(2, code);
        Assert.Contains("'cpu' 'cuda' 'auto'", err);
    }

    [Fact]
    public void Cuda_WithoutADriver_SaysWhatWasLookedFor()
    {
        if (CudaPresent()) return; // a GPU machine: benchmarks/gpu-check.sh covers the device there
        var (code, _, err) = Run("train", "--manifest", "/nonexistent/manifest.csv", "--out", Path.Combine(Path.GetTempPath(), "aecofa-device-test"), "--device", "cuda");
        Assert.Equal(2, code);
        Assert.Contains("CUDA was asked for", err);
        Assert.Contains("libcuda.so.1", err);
        Assert.DoesNotContain("   at ", err);
    }
}
