using System.Runtime.Intrinsics;
using AecOfa.Engine.Kernels;
using BenchmarkDotNet.Attributes;

namespace AecOfa.Benchmarks;

/// <summary>
/// In-run FMA ceiling of one core: register-only loops of independent fused multiply-adds (12 accumulators, more
/// than FMA latency x FMA ports), Vector512 and Vector256. GEMM results are reported as a fraction of
/// <see cref="FmaPeakVector512"/> measured in the same run (run with --join so they share one summary).
/// <see cref="FmaPeakVector512TwoThreads"/> runs the same loop on two pool threads at once: its aggregate is the
/// ceiling for two-thread GEMM (on the shared build VM it equals the one-thread figure: the two vCPUs share one
/// core's FMA units).
/// </summary>
[Config(typeof(GemmBenchmarkConfig))]
public class FmaPeakBenchmarks
{
    public const long Iterations = 1_000_000;

    [Benchmark]
    public float FmaPeakVector512() => FmaPeak.Loop512(Iterations, Vector512.Create(0.999f), Vector512.Create(1e-3f));

    [Benchmark]
    public float FmaPeakVector256() => FmaPeak.Loop256(Iterations, Vector256.Create(0.999f), Vector256.Create(1e-3f));

    [Benchmark]
    public float FmaPeakVector512TwoThreads()
    {
        var body = new TwoThreadBody { Sums = _sums };
        WorkerPool.For(2, ref body, 2);
        return _sums[0] + _sums[1];
    }

    private readonly float[] _sums = new float[2];

    private struct TwoThreadBody : IRangeBody
    {
        public float[] Sums;

        public readonly void Invoke(int begin, int end)
        {
            for (int i = begin; i < end; i++) Sums[i] = FmaPeak.Loop512(Iterations, Vector512.Create(0.999f), Vector512.Create(1e-3f));
        }
    }
}
