using System.Runtime.CompilerServices;
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
    public const int Accumulators = 12;

    [Benchmark]
    public float FmaPeakVector512() => Loop512(Iterations, Vector512.Create(0.999f), Vector512.Create(1e-3f));

    [Benchmark]
    public float FmaPeakVector256() => Loop256(Iterations, Vector256.Create(0.999f), Vector256.Create(1e-3f));

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
            for (int i = begin; i < end; i++) Sums[i] = Loop512(Iterations, Vector512.Create(0.999f), Vector512.Create(1e-3f));
        }
    }

    // Separate non-inlined methods without calls inside: accumulators live across a call would be spilled to the
    // stack by the JIT, turning the loop into a store-bound one.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations, Vector512<float> y, Vector512<float> x)
    {
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, y, x); a1 = Vector512.FusedMultiplyAdd(a1, y, x);
            a2 = Vector512.FusedMultiplyAdd(a2, y, x); a3 = Vector512.FusedMultiplyAdd(a3, y, x);
            a4 = Vector512.FusedMultiplyAdd(a4, y, x); a5 = Vector512.FusedMultiplyAdd(a5, y, x);
            a6 = Vector512.FusedMultiplyAdd(a6, y, x); a7 = Vector512.FusedMultiplyAdd(a7, y, x);
            a8 = Vector512.FusedMultiplyAdd(a8, y, x); a9 = Vector512.FusedMultiplyAdd(a9, y, x);
            a10 = Vector512.FusedMultiplyAdd(a10, y, x); a11 = Vector512.FusedMultiplyAdd(a11, y, x);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations, Vector256<float> y, Vector256<float> x)
    {
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, y, x); a1 = Vector256.FusedMultiplyAdd(a1, y, x);
            a2 = Vector256.FusedMultiplyAdd(a2, y, x); a3 = Vector256.FusedMultiplyAdd(a3, y, x);
            a4 = Vector256.FusedMultiplyAdd(a4, y, x); a5 = Vector256.FusedMultiplyAdd(a5, y, x);
            a6 = Vector256.FusedMultiplyAdd(a6, y, x); a7 = Vector256.FusedMultiplyAdd(a7, y, x);
            a8 = Vector256.FusedMultiplyAdd(a8, y, x); a9 = Vector256.FusedMultiplyAdd(a9, y, x);
            a10 = Vector256.FusedMultiplyAdd(a10, y, x); a11 = Vector256.FusedMultiplyAdd(a11, y, x);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
