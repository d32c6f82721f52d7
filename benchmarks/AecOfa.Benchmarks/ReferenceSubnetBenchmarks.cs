using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace AecOfa.Benchmarks;

/// <summary>
/// Job for whole-network steps: one launch, 25 warm-up and 15 measured iterations of one step each. A step runs each
/// op's code only a few dozen times, and tiered JIT needs about a second of steps to reach its optimized code: with 5
/// warm-up steps the smallest subnet measured 310 samples/s at 2 threads, with tiering off (all code optimized from the
/// start) 602, and a 100-step warm-up of the breakdown tool agrees with the latter (benchmarks/RESULTS.md).
/// </summary>
public sealed class NetworkStepConfig : ManualConfig
{
    public NetworkStepConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(25).WithIterationCount(15)
            .WithInvocationCount(1).WithUnrollFactor(1).WithStrategy(RunStrategy.Monitoring).WithId("NetStep"));
        AddColumn(new SamplesPerSecondColumn());
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Short job for single-clip inference (1-10 ms per call): BenchmarkDotNet's pilot picks the calls per iteration, so
/// each measured iteration averages many calls (one call per iteration was dominated by timer and scheduling noise).
/// </summary>
public sealed class InferenceConfig : ManualConfig
{
    public InferenceConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(10).WithId("Infer"));
        AddColumn(new SamplesPerSecondColumn());
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Training step of the reference subnets at batch 32 (the torch peer's workload), 1 and 2 threads. samples/s and
/// allocated bytes per step (MemoryDiagnoser) are in the summary.
/// </summary>
[Config(typeof(NetworkStepConfig))]
public class TrainingStepBenchmarks
{
    private ReferenceSubnetTrainer _trainer = null!;

    [Params("largest", "smallest")] public string Subnet { get; set; } = "largest";
    [Params(1, 2)] public int Threads { get; set; }
    [Params(32)] public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        WorkerPool.MaxThreads = Threads;
        _trainer = new ReferenceSubnetTrainer(ReferenceSubnetSpec.ByName(Subnet), Batch);
        for (int i = 0; i < 2; i++) _trainer.Step(); // fill the arena's pool
    }

    [Benchmark] public float TrainStep() => _trainer.Step();
}

/// <summary>Single-clip inference latency (eval, no grad, batch 1).</summary>
[Config(typeof(InferenceConfig))]
public class InferenceLatencyBenchmarks
{
    private ReferenceSubnetInference _inference = null!;

    [Params("largest", "smallest")] public string Subnet { get; set; } = "largest";
    [Params(1, 2)] public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        WorkerPool.MaxThreads = Threads;
        _inference = new ReferenceSubnetInference(ReferenceSubnetSpec.ByName(Subnet));
        for (int i = 0; i < 50; i++) _inference.Run(); // past tiered compilation's call counts
    }

    [Benchmark] public float[] InferClip() => _inference.Run();
}
