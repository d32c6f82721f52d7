using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AecOfa.Engine;

/// <summary>
/// Stopwatch-based time per op kind, for finding where a step's time goes (benchmarks and tools, not production).
/// While a scope from <see cref="Begin"/> is active on a thread: forward time is attributed to each op as the time
/// since the previous op finished (or since <see cref="Lap"/>), so layer glue counts towards the next op; backward
/// time is each recorded op's backward function, measured around its call. Phases (forward, backward, optimizer)
/// are timed by the caller with <see cref="AddPhase"/>. Op names are those the ops record (GradNode.OpName).
/// </summary>
public sealed class OpProfiler
{
    [ThreadStatic] private static OpProfiler? t_current;

    private readonly Dictionary<string, (long Ticks, long Calls)> _forward = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Ticks, long Calls)> _backward = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Ticks, long Calls)> _phases = new(StringComparer.Ordinal);
    private long _last;
    private readonly Func<long> _clock;
    private readonly long _frequency;

    /// <summary>Wall-clock profiler (Stopwatch ticks).</summary>
    public OpProfiler() : this(Stopwatch.GetTimestamp, Stopwatch.Frequency) { }

    /// <summary>
    /// A profiler on another clock, e.g. the calling thread's CPU time (on a loaded machine, with one kernel thread, that
    /// excludes the time the thread waited for a core). <paramref name="ticksPerSecond"/> converts its readings.
    /// </summary>
    public OpProfiler(Func<long> clock, long ticksPerSecond)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (ticksPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(ticksPerSecond), ticksPerSecond, "OpProfiler: the clock's ticks per second must be > 0.");
        _clock = clock;
        _frequency = ticksPerSecond;
    }

    /// <summary>The profiler's clock now (use it for <see cref="AddPhase"/> so phases and ops share a clock).</summary>
    public long Now() => _clock();

    internal static OpProfiler? Current => t_current;

    /// <summary>
    /// When set, ops are keyed by name AND output shape ("Conv2d.Pointwise 32x48x32x50"), one row per distinct layer
    /// shape instead of one per op kind (for finding which layers scale badly over threads).
    /// </summary>
    public bool ByShape { get; init; }

    /// <summary>Steps (or other units) the totals are divided by in <see cref="Report"/>.</summary>
    public int Steps { get; set; } = 1;

    public Scope Begin()
    {
        if (t_current is not null) throw new InvalidOperationException("OpProfiler.Begin: a profiler is already active on this thread.");
        t_current = this;
        Lap();
        return new Scope(this);
    }

    /// <summary>Restarts the forward attribution clock (call before a forward pass).</summary>
    public void Lap() => _last = _clock();

    /// <summary>Adds time to a phase, in this profiler's clock ticks (see <see cref="Now"/>).</summary>
    public void AddPhase(string phase, long ticks) => Add(_phases, phase, ticks);

    internal void ForwardMark(string op, Tensor output)
    {
        long now = _clock();
        Add(_forward, Key(op, output), now - _last);
        _last = now;
    }

    internal void AddBackward(string op, Tensor output, long ticks)
    {
        Add(_backward, Key(op, output), ticks);
        _last = _clock(); // the next forward op must not absorb the backward pass that ran before it
    }

    private string Key(string op, Tensor output) => ByShape ? $"{op} {string.Join('x', output.Shape)}" : op;

    internal long Clock() => _clock();

    private static void Add(Dictionary<string, (long Ticks, long Calls)> d, string key, long ticks)
    {
        d.TryGetValue(key, out var v);
        d[key] = (v.Ticks + ticks, v.Calls + 1);
    }

    public void Reset()
    {
        _forward.Clear();
        _backward.Clear();
        _phases.Clear();
    }

    /// <summary>Milliseconds per step by phase, and per op kind in forward and backward (largest first).</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        double perStep = 1000.0 / _frequency / Math.Max(1, Steps);
        void Section(string title, Dictionary<string, (long Ticks, long Calls)> d)
        {
            long total = d.Values.Sum(v => v.Ticks);
            sb.AppendLine(CultureInfo.InvariantCulture, $"{title}: {total * perStep:F1} ms/step");
            foreach (var (k, v) in d.OrderByDescending(kv => kv.Value.Ticks).Select(kv => (kv.Key, kv.Value)))
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"  {k.PadRight(ByShape ? 48 : 28)} {v.Ticks * perStep,9:F2} ms  {100.0 * v.Ticks / Math.Max(1, total),5:F1}%  {(double)v.Calls / Math.Max(1, Steps),6:F0} calls");
        }
        Section("phases", _phases);
        Section("forward ops", _forward);
        Section("backward ops", _backward);
        return sb.ToString();
    }

    public readonly struct Scope : IDisposable
    {
        private readonly OpProfiler? _profiler;

        internal Scope(OpProfiler profiler) => _profiler = profiler;

        public void Dispose()
        {
            if (_profiler is not null && ReferenceEquals(t_current, _profiler)) t_current = null;
        }
    }
}
