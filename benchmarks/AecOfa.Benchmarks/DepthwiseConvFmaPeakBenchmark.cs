using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace AecOfa.Benchmarks;

/// <summary>
/// Register-only FMA loop (12 independent Vector512 chains): the one-core ceiling the depthwise numbers are compared
/// with, measured in the same (loaded) session. GMAC/s = 16 * 12 * Iterations / mean time.
/// </summary>
[Config(typeof(ShortConfig))]
public class DepthwiseConvFmaPeakBenchmark
{
    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(7)
                .WithIterationTime(TimeInterval.FromMilliseconds(150)).WithLaunchCount(1).WithId("short-inproc"));
            AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        }
    }

    public const int Iterations = 1_000_000;

    [Benchmark]
    public float FmaPeakVector512()
    {
        var m = Vector512.Create(0.999f);
        var a0 = Vector512.Create(1f); var a1 = a0 + m; var a2 = a1 + m; var a3 = a2 + m; var a4 = a3 + m; var a5 = a4 + m;
        var a6 = a5 + m; var a7 = a6 + m; var a8 = a7 + m; var a9 = a8 + m; var a10 = a9 + m; var a11 = a10 + m;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, m); a1 = Vector512.FusedMultiplyAdd(a1, m, m);
            a2 = Vector512.FusedMultiplyAdd(a2, m, m); a3 = Vector512.FusedMultiplyAdd(a3, m, m);
            a4 = Vector512.FusedMultiplyAdd(a4, m, m); a5 = Vector512.FusedMultiplyAdd(a5, m, m);
            a6 = Vector512.FusedMultiplyAdd(a6, m, m); a7 = Vector512.FusedMultiplyAdd(a7, m, m);
            a8 = Vector512.FusedMultiplyAdd(a8, m, m); a9 = Vector512.FusedMultiplyAdd(a9, m, m);
            a10 = Vector512.FusedMultiplyAdd(a10, m, m); a11 = Vector512.FusedMultiplyAdd(a11, m, m);
        }
        return ((a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7) + (a8 + a9) + (a10 + a11)).ToScalar();
    }
}
