using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks;

/// <summary>
/// Training step of the product's networks (src/AecOfa.Nas) for the reference subnets at batch 32, 1 and 2 threads:
/// the extracted static network and the supernet forward with the subnet's configuration, on the same workload as
/// <see cref="TrainingStepBenchmarks"/> (which trains the benchmark's port). samples/s and allocated bytes per step
/// (MemoryDiagnoser) are in the summary.
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*ProductNetworkTrainingStepBenchmarks*'
/// </summary>
[Config(typeof(NetworkStepConfig))]
public class ProductNetworkTrainingStepBenchmarks
{
    private ProductNetworkTrainer _trainer = null!;

    [Params(ProductNetwork.Static, ProductNetwork.Supernet)] public ProductNetwork Network { get; set; }
    [Params("largest", "smallest")] public string Subnet { get; set; } = "largest";
    [Params(1, 2)] public int Threads { get; set; }
    [Params(32)] public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        WorkerPool.MaxThreads = Threads;
        _trainer = new ProductNetworkTrainer(ReferenceSubnetSpec.ByName(Subnet), Network, Batch);
        for (int i = 0; i < 2; i++) _trainer.Step(); // fill the arena's pool
    }

    [Benchmark] public float TrainStep() => _trainer.Step();
}
