using System.Diagnostics;

namespace AecOfa.Pipelines.Latency;

/// <summary>The time source of latency measurements (a fake one in tests).</summary>
public interface ILatencyClock
{
    long GetTimestamp();

    /// <summary>Ticks per second.</summary>
    long Frequency { get; }
}

/// <summary><see cref="Stopwatch"/> timestamps.</summary>
public sealed class StopwatchClock : ILatencyClock
{
    public static StopwatchClock Instance { get; } = new();

    public long GetTimestamp() => Stopwatch.GetTimestamp();

    public long Frequency => Stopwatch.Frequency;
}

/// <summary>Median and spread of repeated runs, in milliseconds.</summary>
public sealed record LatencyStats(double MedianMs, double P25Ms, double P75Ms, double MinMs, double MaxMs, int Runs)
{
    public double Get(LatencyStatistic statistic) => statistic == LatencyStatistic.Min ? MinMs : MedianMs;

    /// <summary>Times <paramref name="run"/> after <paramref name="warmup"/> untimed calls, each of <paramref name="repeats"/> runs on its own.</summary>
    public static LatencyStats Measure(Action run, ILatencyClock clock, int warmup, int repeats)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(clock);
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "must be at least 1");
        for (int i = 0; i < warmup; i++) run();
        var ms = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long t0 = clock.GetTimestamp();
            run();
            ms[i] = (clock.GetTimestamp() - t0) * 1000.0 / clock.Frequency;
        }
        return FromSamples(ms);
    }

    /// <summary>Statistics of measured run times in milliseconds (at least one).</summary>
    public static LatencyStats FromSamples(IReadOnlyList<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Count == 0) throw new ArgumentException("no samples", nameof(milliseconds));
        var ms = milliseconds.Order().ToArray();
        return new LatencyStats(Quantile(ms, 0.5), Quantile(ms, 0.25), Quantile(ms, 0.75), ms[0], ms[^1], ms.Length);
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
