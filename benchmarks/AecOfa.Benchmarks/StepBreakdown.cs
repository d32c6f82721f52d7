using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;

namespace AecOfa.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- breakdown [largest|smallest ...] [--network port|static|supernet] [--threads 1,2] [--steps N] [--warmup N] [--unfused] [--no-arena] [--infer] [--by-shape] [--width W --input MELSxFRAMES]`:
/// warms up, then times N training steps per subnet and thread count, and prints samples/s, bytes allocated per
/// step, CPU time per step of the calling thread (on a loaded machine, with 1 thread, closer to the undisturbed time than
/// wall time; the op table then uses that clock too)
/// and the <see cref="OpProfiler"/> table (phases, time per op kind in forward and backward).
/// --network picks what is trained: the benchmark's port of the reference network (port, default), or the product's
/// own networks for the same subnet (<see cref="ProductNetworkTrainer"/>): the extracted static network (static) or
/// the supernet forward (supernet). --unfused and --infer apply to the port only. --width and --input (the libtorch
/// peer's options of the same name) give the product's networks OFA's width multiplier and a fixed input size, e.g.
/// the demo's ultra-small regime: --width 0.25 --input 32x51; with them --network defaults to static.
/// </summary>
public static class StepBreakdown
{
    public static void Run(string[] args)
    {
        var subnets = new List<string>();
        int[] threads = { 1, 2 };
        int steps = 5, warmup = 7;
        bool fuse = true, arena = true, infer = false, byShape = false;
        string? network = null;
        double width = 1.0;
        (int MelBins, int Frames)? input = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads") threads = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            else if (args[i] == "--steps") steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--warmup") warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--unfused") fuse = false;
            else if (args[i] == "--infer") infer = true;
            else if (args[i] == "--by-shape") byShape = true;
            else if (args[i] == "--no-arena") arena = false;
            else if (args[i] == "--network") network = args[++i];
            else if (args[i] == "--width") width = BenchArgs.PositiveDouble("--width", args[++i]);
            else if (args[i] == "--input") input = BenchArgs.InputShape(args[++i]);
            else subnets.Add(args[i]);
        }
        if (subnets.Count == 0) subnets.AddRange(new[] { "largest", "smallest" });
        bool shaped = width != 1.0 || input is not null;
        network ??= shaped ? "static" : "port";
        if (shaped && network == "port")
            throw new ArgumentException("breakdown: --width and --input apply to --network static or supernet (the port is the reference network only).");
        var space = shaped ? ProductNetworkTrainer.ForShape(width, input?.MelBins ?? ReferenceSubnetSpec.InputH, input?.Frames ?? ReferenceSubnetSpec.InputW) : null;
        ProductNetwork? product = network switch
        {
            "port" => null,
            "static" => ProductNetwork.Static,
            "supernet" => ProductNetwork.Supernet,
            _ => throw new ArgumentException($"breakdown: --network must be port, static or supernet, got '{network}'."),
        };
        if (product is not null && (infer || !fuse))
            throw new ArgumentException("breakdown: --infer and --unfused apply to --network port only.");
        if (infer)
        {
            foreach (var name in subnets)
                foreach (int t in threads) Inference(name, t, steps);
            return;
        }
        foreach (var name in subnets)
            foreach (int t in threads)
            {
                WorkerPool.MaxThreads = t;
                var spec = ReferenceSubnetSpec.ByName(name);
                var productTrainer = product is { } p ? new ProductNetworkTrainer(spec, p, useArena: arena, space: space) : null;
                var trainer = productTrainer?.Training ?? new ReferenceSubnetTrainer(spec, useArena: arena, fuseBnActivation: fuse).Training;
                string shape = productTrainer is null ? "" : string.Create(CultureInfo.InvariantCulture,
                    $", width {width:R}, input {trainer.Input.Shape[2]}x{trainer.Input.Shape[3]}, {productTrainer.Macs / 1e6:F2} M MACs, {productTrainer.Parameters:N0} params");
                float first = trainer.Step();
                for (int i = 0; i < warmup; i++) trainer.Step(); // tiered JIT: per-op code runs a few dozen times per step
                long bytes0 = GC.GetAllocatedBytesForCurrentThread();
                long thread0 = ThreadCpuClock.Now();
                long t0 = Stopwatch.GetTimestamp();
                float last = 0;
                for (int i = 0; i < steps; i++) last = trainer.Step();
                double sec = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                double cpuMs = (ThreadCpuClock.Now() - thread0) / 1e6 / steps;
                long bytes = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / steps;
                // With one thread the calling thread does all the work: time ops by its CPU clock (robust to a loaded machine).
                var profiler = t == 1 ? new OpProfiler(ThreadCpuClock.Now, ThreadCpuClock.TicksPerSecond) { Steps = steps, ByShape = byShape } : new OpProfiler { Steps = steps, ByShape = byShape };
                for (int i = 0; i < steps; i++) trainer.ProfiledStep(profiler);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"== {name} ({network}{shape}), {t} thread(s){(fuse ? "" : ", unfused BN+act")}{(arena ? "" : ", no arena")}: {trainer.Batch * steps / sec:F1} samples/s ({sec * 1000 / steps:F0} ms/step wall, {cpuMs:F0} ms/step CPU of the calling thread), {bytes:N0} B allocated/step (this thread), loss {first:F4} -> {last:F4}"));
                Console.WriteLine(profiler.Report());
            }
    }

    /// <summary>Single-clip eval forward: ms per clip (wall and thread CPU), bytes per call, and the op table.</summary>
    private static void Inference(string name, int threads, int calls)
    {
        WorkerPool.MaxThreads = threads;
        var inference = new ReferenceSubnetInference(ReferenceSubnetSpec.ByName(name));
        for (int i = 0; i < 20; i++) inference.Run();
        calls *= 20;
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        long thread0 = ThreadCpuClock.Now();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) inference.Run();
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / calls;
        double cpuMs = (ThreadCpuClock.Now() - thread0) / 1e6 / calls;
        long bytes = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / calls;
        var profiler = threads == 1 ? new OpProfiler(ThreadCpuClock.Now, ThreadCpuClock.TicksPerSecond) { Steps = calls } : new OpProfiler { Steps = calls };
        using (profiler.Begin())
            for (int i = 0; i < calls; i++)
            {
                profiler.Lap();
                inference.Run();
            }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== {name} inference, batch 1, {threads} thread(s): {ms:F2} ms/clip wall, {cpuMs:F2} ms/clip CPU of the calling thread, {bytes:N0} B allocated/clip"));
        Console.WriteLine(profiler.Report());
    }
}
