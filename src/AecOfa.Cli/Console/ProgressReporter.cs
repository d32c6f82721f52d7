using System.Diagnostics;

namespace AecOfa.Cli.Console;

/// <summary>
/// A one-line progress display for long work: done/total, items per second and ETA. Redraws in place on a
/// terminal and prints occasional plain lines when output is redirected (CI logs stay readable).
/// </summary>
public sealed class ProgressReporter : IProgress<(int Done, int Total)>
{
    private readonly string _label;
    private readonly string _unit;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !System.Console.IsErrorRedirected;
    private readonly object _gate = new();
    private long _lastDrawMs = -1_000_000;
    private int _lastDone = -1;

    public ProgressReporter(string label, string unit = "items")
    {
        _label = label;
        _unit = unit;
    }

    public void Report((int Done, int Total) value)
    {
        lock (_gate)
        {
            long now = _clock.ElapsedMilliseconds;
            bool finished = value.Done >= value.Total;
            long interval = _interactive ? 100 : 5000;
            if (!finished && now - _lastDrawMs < interval) return;
            if (finished && _lastDone == value.Done) return;
            _lastDrawMs = now;
            _lastDone = value.Done;
            System.Console.Error.Write(Format(value.Done, value.Total, _clock.Elapsed.TotalSeconds));
            System.Console.Error.Write(_interactive && !finished ? "\r" : "\n");
        }
    }

    internal string Format(int done, int total, double seconds)
    {
        double rate = seconds > 0 ? done / seconds : 0;
        string eta = rate > 0 && done < total ? FormatDuration((total - done) / rate) : "--";
        double fraction = total > 0 ? (double)done / total : 1;
        const int width = 24;
        int filled = (int)Math.Round(fraction * width);
        string bar = new string('#', filled) + new string('.', width - filled);
        return $"{_label} [{bar}] {done}/{total} {fraction * 100,5:F1}%  {rate,8:F1} {_unit}/s  ETA {eta}   ";
    }

    internal static string FormatDuration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:F0}s";
    }
}
