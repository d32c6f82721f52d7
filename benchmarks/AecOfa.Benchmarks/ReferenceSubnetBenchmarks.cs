using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace AecOfa.Benchmarks;

/// <summary>
/// Short job for whole-network steps: one launch, 5 warm-up and 10 measured iterations of one op each (with the 2 setup
/// steps, enough for tiered compilation to reach the per-op code that runs only a few dozen times per step).
/// </summary>
public sealed class NetworkStepConfig : ManualConfig
{
    public NetworkStepConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(10)
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
