using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;

namespace AecOfa.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- breakdown [largest|smallest ...] [--threads 1,2] [--steps N]`:
/// warms up, then times N training steps per subnet and thread count, and prints samples/s, bytes allocated per
/// step, process CPU time per step (on a loaded machine, with 1 thread, closer to the undisturbed time than wall time)
/// and the <see cref="OpProfiler"/> table (phases, time per op kind in forward and backward).
/// </summary>
public static class StepBreakdown
{
    public static void Run(string[] args)
    {
        var subnets = new List<string>();
        int[] threads = { 1, 2 };
        int steps = 5;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads") threads = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--steps") steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else subnets.Add(args[i]);
        }
        if (subnets.Count == 0) subnets.AddRange(new[] { "largest", "smallest" });
        foreach (var name in subnets)
            foreach (int t in threads)
            {
                WorkerPool.MaxThreads = t;
                var trainer = new ReferenceSubnetTrainer(ReferenceSubnetSpec.ByName(name));
                float first = trainer.Step();
                for (int i = 0; i < 2; i++) trainer.Step();
                long bytes0 = GC.GetAllocatedBytesForCurrentThread();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long t0 = Stopwatch.GetTimestamp();
                float last = 0;
                for (int i = 0; i < steps; i++) last = trainer.Step();
                double sec = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / steps;
                long bytes = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / steps;
                var profiler = new OpProfiler { Steps = steps };
                for (int i = 0; i < steps; i++) trainer.ProfiledStep(profiler);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"== {name}, {t} thread(s): {trainer.Batch * steps / sec:F1} samples/s ({sec * 1000 / steps:F0} ms/step wall, {cpuMs:F0} ms/step process CPU), {bytes:N0} B allocated/step (this thread), loss {first:F4} -> {last:F4}"));
                Console.WriteLine(profiler.Report());
            }
    }
}
