using System.CommandLine;
using System.Globalization;
using AecOfa.Cli.Bench;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa bench`: headline performance numbers of this machine in about a minute.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var noTraining = new Option<bool>("--no-training") { Description = "Skip the training-step and latency measurements (kernels only, a few seconds)." };
        var threads = StrictNumbers.IntList("--threads", "Thread counts to measure (default: 1 2).", [1, 2]);
        var command = new Command("bench", "Measure the FMA peak, GEMM, depthwise convolution, log-mel extraction and the training step of the reference sub-networks on this machine.")
        {
            noTraining, threads,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var counts = parse.GetValue(threads)!;
            if (counts.Length == 0 || counts.Any(t => t < 1 || t > 256))
                throw new ArgumentException("--threads: give one or more thread counts between 1 and 256.");
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"aecofa bench on {Environment.ProcessorCount} logical CPU(s), .NET {Environment.Version}; median of repeated runs after warm-up");
            var bench = new QuickBench(l => o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {l.Name,-40} {l.Value,10:F1} {l.Unit,-12} {l.Note}")))
            {
                IncludeTraining = !parse.GetValue(noTraining),
                ThreadCounts = counts,
            };
            bench.Run();
            return 0;
        }));
        return command;
    }
}
