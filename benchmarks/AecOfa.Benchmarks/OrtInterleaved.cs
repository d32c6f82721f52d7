using System.Diagnostics;

namespace AecOfa.Benchmarks;

/// <summary>
/// The ORT comparison as interleaved rounds (robust on a shared machine): per sub-network of
/// <see cref="OnnxRuntimeComparisonBenchmarks"/>, warm-up, then <c>rounds</c> rounds in which the engine's eval path,
/// the compiled plan and ONNX Runtime each run <c>runs</c> times back to back; prints the median and minimum of the
/// per-round µs per call and the ratios. Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- ort-interleaved [rounds] [runs]
/// </summary>
public static class OrtInterleaved
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
        int runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
        Console.WriteLine($"# interleaved rounds: {rounds} x {runs} runs per method, after 300 warm-up runs each; one thread, batch 1");
        foreach (string subnet in new[] { "smallest-reference", "demo-smallest-64x1", "demo-smallest-32x2" })
        {
            var b = new OnnxRuntimeComparisonBenchmarks { Subnet = subnet };
            b.Setup();
            try
            {
                (string Name, Action Call)[] methods = [("engine", () => b.Engine()), ("plan", () => b.Plan()), ("ort", b.OnnxRuntime)];
                foreach (var (_, call) in methods) for (int i = 0; i < 300; i++) call();
                var times = methods.Select(_ => new List<double>()).ToArray();
                for (int r = 0; r < rounds; r++)
                    for (int m = 0; m < methods.Length; m++)
                    {
                        var sw = Stopwatch.StartNew();
                        for (int i = 0; i < runs; i++) methods[m].Call();
                        times[m].Add(sw.Elapsed.TotalMicroseconds / runs);
                    }
                double Median(List<double> t) { var s = t.Order().ToArray(); return s[s.Length / 2]; }
                var med = times.Select(Median).ToArray();
                var min = times.Select(t => t.Min()).ToArray();
                Console.WriteLine($"{subnet}: engine median {med[0]:F0} us (min {min[0]:F0}), plan median {med[1]:F0} us (min {min[1]:F0}), " +
                    $"ORT median {med[2]:F0} us (min {min[2]:F0}); plan/ORT median {med[1] / med[2]:F2}, min {min[1] / min[2]:F2}; engine/plan median {med[0] / med[1]:F2}");
            }
            finally
            {
                b.Cleanup();
            }
        }
    }
}
