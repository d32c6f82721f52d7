using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace AecOfa.Benchmarks;

/// <summary>
/// Shared config of the GEMM and FMA-peak benchmarks: a short job (the machine is shared), the Min and Median
/// columns, and GFLOP/s plus the fraction of the in-run Vector512 FMA peak, both from the median time.
/// </summary>
public sealed class GemmBenchmarkConfig : ManualConfig
{
    public GemmBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7)
            .WithIterationTime(TimeInterval.FromMilliseconds(150)).WithId("GemmShort"));
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48));
        AddColumn(new GflopsColumn(fractionOfPeak: false), new GflopsColumn(fractionOfPeak: true));
    }

    /// <summary>Floating-point operations of one invocation of a benchmark case (0 when unknown).</summary>
    internal static double FlopsOf(BenchmarkCase benchmarkCase)
    {
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (method == nameof(FmaPeakBenchmarks.FmaPeakVector512)) return 2.0 * 16 * FmaPeakBenchmarks.Accumulators * FmaPeakBenchmarks.Iterations;
        if (method == nameof(FmaPeakBenchmarks.FmaPeakVector512TwoThreads)) return 2 * 2.0 * 16 * FmaPeakBenchmarks.Accumulators * FmaPeakBenchmarks.Iterations;
        if (method == nameof(FmaPeakBenchmarks.FmaPeakVector256)) return 2.0 * 8 * FmaPeakBenchmarks.Accumulators * FmaPeakBenchmarks.Iterations;
        foreach (var p in benchmarkCase.Parameters.Items)
            if (p.Value is GemmShape shape) return shape.Flops;
        return 0;
    }

    private sealed class GflopsColumn(bool fractionOfPeak) : IColumn
    {
        public string Id => fractionOfPeak ? "GemmPeakFraction" : "GemmGflops";
        public string ColumnName => fractionOfPeak ? "% FMA512 peak" : "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => fractionOfPeak ? 1 : 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => fractionOfPeak
            ? "GFLOP/s as a percentage of FmaPeakVector512 in the same summary (needs --join)"
            : "2*m*n*k (or FMA-loop flops) / median time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double g = Gflops(summary, benchmarkCase);
            if (double.IsNaN(g)) return "?";
            if (!fractionOfPeak) return g.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            var peakCase = summary.BenchmarksCases.FirstOrDefault(b => b.Descriptor.WorkloadMethod.Name == nameof(FmaPeakBenchmarks.FmaPeakVector512));
            double peak = peakCase == null ? double.NaN : Gflops(summary, peakCase);
            return double.IsNaN(peak) ? "?" : (100 * g / peak).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + "%";
        }

        private static double Gflops(Summary summary, BenchmarkCase benchmarkCase)
        {
            double flops = FlopsOf(benchmarkCase);
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (flops <= 0 || stats == null) return double.NaN;
            return flops / stats.Median; // flop per ns == GFLOP/s
        }
    }
}
