using System.CommandLine;
using AecOfa.Cli.Bench;
using AecOfa.Engine;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa gpu-check`: smoke test, parity with the host and timings of the device path (<see cref="GpuCheck"/>).</summary>
public static class GpuCheckCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device")
        {
            Description = "cuda (the first CUDA GPU) or ilgpu-cpu (ILGPU's CPU accelerator: the device kernels on the host, to check this command without a GPU; use with --quick).",
            DefaultValueFactory = _ => "cuda",
        };
        device.AcceptOnlyFromAmong("cuda", "ilgpu-cpu");
        var quick = new Option<bool>("--quick") { Description = "Tiny sizes (seconds on ILGPU's CPU accelerator) instead of realistic ones." };
        var command = new Command("gpu-check", "Check the GPU path: device smoke test, parity of every device op and a training step with the CPU path (1e-4 forward, 1e-3 gradients), training-step and GEMM timings; a table last. Exit code 1 when a parity check fails.")
        {
            device, quick,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var o = parse.InvocationConfiguration.Output;
            var d = parse.GetValue(device) == "ilgpu-cpu" ? ComputeDevice.IlgpuCpu() : ComputeDevice.Cuda();
            o.WriteLine($"aecofa gpu-check on {d.Name}; .NET {Environment.Version}, {Environment.ProcessorCount} CPU(s){(parse.GetValue(quick) ? "; quick sizes" : "")}");
            var check = new GpuCheck(d, parse.GetValue(quick), line => o.WriteLine(line));
            check.Run();
            o.WriteLine();
            o.WriteLine("| check | value | unit | status |");
            o.WriteLine("|---|---:|---|---|");
            foreach (var l in check.Lines) o.WriteLine(FormattableString.Invariant($"| {l.Name} | {l.Value:G4} | {l.Unit} | {l.Status} |"));
            o.WriteLine(check.Failures == 0 ? "gpu-check: all parity checks passed" : $"gpu-check: {check.Failures} parity check(s) FAILED");
            return check.Failures == 0 ? 0 : 1;
        }));
        return command;
    }
}
