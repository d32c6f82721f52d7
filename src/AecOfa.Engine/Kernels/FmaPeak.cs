using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// The machine's FMA ceiling, measured in-run: register-only loops of independent fused multiply-adds (12
/// accumulators, more than FMA latency x FMA ports). Kernel speeds are reported as a fraction of this, because
/// machines (and virtual CPUs) differ. Used by the benchmark suite and `aecofa bench`.
/// </summary>
public static class FmaPeak
{
    public const int Accumulators = 12;

    /// <summary>FLOPs one iteration of <see cref="Loop512"/> performs (12 FMAs x 16 lanes x 2).</summary>
    public const long FlopsPerIteration512 = Accumulators * 16 * 2;

    public const long FlopsPerIteration256 = Accumulators * 8 * 2;

    /// <summary>Best GFLOP/s of one thread over <paramref name="rounds"/> timed loops of <paramref name="iterations"/>.</summary>
    public static double MeasureGflops(bool vector512, long iterations = 2_000_000, int rounds = 5)
    {
        double best = 0;
        for (int r = 0; r < rounds + 1; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            float sink = vector512 ? Loop512(iterations, Vector512.Create(0.999f), Vector512.Create(1e-3f))
                                   : Loop256(iterations, Vector256.Create(0.999f), Vector256.Create(1e-3f));
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            GC.KeepAlive(sink);
            if (r == 0) continue; // the first round may run before tier-up
            best = Math.Max(best, iterations * (vector512 ? FlopsPerIteration512 : FlopsPerIteration256) / s / 1e9);
        }
        return best;
    }

    // Separate non-inlined methods with no calls inside: accumulators live across a call would be spilled to the
    // stack by the JIT, turning the loop into a store-bound one.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Loop512(long iterations, Vector512<float> y, Vector512<float> x)
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
    public static float Loop256(long iterations, Vector256<float> y, Vector256<float> x)
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
