using AecOfa.Engine;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks.Nas;

/// <summary>Default-space supernet (1×64×100 input, batch 8): eval forward of the largest and smallest sub-networks
/// through the elastic layers vs their extracted static networks (the slicing/transform overhead), one training
/// forward + backward of the largest, and extraction itself.
/// Run: dotnet run -c Release --project benchmarks/AecOfa.Benchmarks -- --filter '*SupernetBenchmarks*' --job short</summary>
[MemoryDiagnoser]
public class SupernetBenchmarks
{
    private const int Batch = 8;
    private OfaSupernet _supernet = null!;
    private StaticMbv3Network _largestStatic = null!, _smallestStatic = null!;
    private ArchConfig _largest = null!, _smallest = null!;
    private Tensor _x = null!;

    [GlobalSetup]
    public void Setup()
    {
        var space = ArchSpace.Default;
        _supernet = new OfaSupernet(space, seed: 0);
        _largest = ArchConfig.Max(space);
        _smallest = ArchConfig.Min(space);
        _supernet.Eval();
        _largestStatic = SubnetExtractor.ExtractWithCurrentStatistics(_supernet, _largest);
        _smallestStatic = SubnetExtractor.ExtractWithCurrentStatistics(_supernet, _smallest);
        _x = Tensor.Uniform(new Random(1), -1f, 1f, Batch, 1, space.Input.MelBins, space.Input.Frames);
    }

    [Benchmark]
    public Tensor SupernetEvalLargest()
    {
        _supernet.Eval();
        using var _ = GradMode.NoGrad();
        return _supernet.Forward(_x, _largest);
    }

    [Benchmark]
    public Tensor StaticEvalLargest()
    {
        using var _ = GradMode.NoGrad();
        return _largestStatic.Forward(_x);
    }

    [Benchmark]
    public Tensor SupernetEvalSmallest()
    {
        _supernet.Eval();
        using var _ = GradMode.NoGrad();
        return _supernet.Forward(_x, _smallest);
    }

    [Benchmark]
    public Tensor StaticEvalSmallest()
    {
        using var _ = GradMode.NoGrad();
        return _smallestStatic.Forward(_x);
    }

    [Benchmark]
    public void SupernetTrainStepLargest()
    {
        _supernet.Train();
        var y = _supernet.Forward(_x, _largest);
        y.Backward(Tensor.Full(1f / y.Numel, y.Shape));
        _supernet.ZeroGrad();
    }

    [Benchmark]
    public StaticMbv3Network ExtractLargest() => SubnetExtractor.ExtractWithCurrentStatistics(_supernet, _largest);
}
