using System.Runtime.InteropServices;

namespace AecOfa.Benchmarks;

/// <summary>
/// CPU time of the calling thread in nanoseconds (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)), for breakdowns on a
/// shared machine: time the thread spent waiting for a core is not counted. Falls back to process CPU time elsewhere.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec ts);

    public const long TicksPerSecond = 1_000_000_000;

    public static long Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0) return ts.Seconds * TicksPerSecond + ts.Nanoseconds;
        return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.Ticks * 100;
    }
}
