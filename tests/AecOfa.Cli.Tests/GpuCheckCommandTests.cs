using static AecOfa.Cli.Tests.CliRunner;

namespace AecOfa.Cli.Tests;

/// <summary>`aecofa gpu-check --device ilgpu-cpu --quick`: the GPU machine's check runs end to end without a GPU.</summary>
public class GpuCheckCommandTests
{
    [Fact]
    public void QuickCheck_OnTheCpuAccelerator_PassesAndPrintsTheTableLast()
    {
        var (code, output, err) = Run("gpu-check", "--device", "ilgpu-cpu", "--quick");
        Assert.True(code == 0, $"exit code {code}: {err}\n{output}");
        Assert.Contains("smoke: upload, add, download on ilgpu-cpu", output);
        Assert.Contains("parity training step gradients", output);
        Assert.Contains("train step largest (tiny space), batch 2", output);
        Assert.Contains("GEMM 64^3", output);
        Assert.DoesNotContain("FAIL", output);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("gpu-check: all parity checks passed", lines[^1].Trim());
        Assert.StartsWith("| GEMM 64^3 |", lines[^2]);
    }
}
