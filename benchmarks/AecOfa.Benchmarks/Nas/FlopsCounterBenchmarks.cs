using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks.Nas;

/// <summary>FlopsCounter cost per call (the evolutionary search calls it for every candidate, millions of times).
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*FlopsCounter*' --job short</summary>
[MemoryDiagnoser]
public class FlopsCounterBenchmarks
{
    private const int Batch = 1024;
    private readonly FlopsCounter _counter = new(ArchSpace.Default);
    private readonly ArchConfig[] _configs = new ArchConfig[Batch];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        for (int i = 0; i < Batch; i++) _configs[i] = ArchSampling.Sample(ArchSpace.Default, rng);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long CountRandomSubnets()
    {
        long sum = 0;
        foreach (var c in _configs) sum += _counter.Count(c).Macs;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long SampleAndCount()
    {
        var rng = new Random(1);
        long sum = 0;
        for (int i = 0; i < Batch; i++) sum += _counter.Count(ArchSampling.Sample(ArchSpace.Default, rng)).Macs;
        return sum;
    }
}
