using System.Runtime.ExceptionServices;
using AecOfa.Engine.Kernels;

namespace AecOfa.Nas.Training;

/// <summary>
/// Persistent threads for the extra lanes of <see cref="StepTaskRunner"/>: lane 0 is the caller, lane k &gt;= 1 runs on
/// thread k. Separate from the engine's <see cref="WorkerPool"/> on purpose: the pool serves one parallel region at a
/// time and runs a region inline while another thread holds it (the batch prefetcher's ops, another trainer), which
/// would silently serialize the lanes. Every lane runs its kernels on its own thread
/// (<see cref="WorkerPool.CallingThreadLimit"/> = 1): the lanes are the parallelism. One step at a time process-wide;
/// a second trainer stepping at the same moment runs its tasks on its own thread instead.
/// </summary>
internal static class LaneThreads
{
    private static int s_busy; // not a Monitor: a nested call from inside a lane must be refused, not re-entered
    private static readonly List<Lane> s_lanes = [];

    /// <summary>
    /// Runs body(0) on the calling thread and body(1) .. body(lanes - 1) on lane threads, and returns when all are done
    /// (rethrowing the first exception of any, after all have finished); false, having run nothing, when another
    /// step holds the lanes.
    /// </summary>
    public static bool TryRun(int lanes, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (lanes < 2) throw new ArgumentOutOfRangeException(nameof(lanes), lanes, "lanes must be >= 2");
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            while (s_lanes.Count < lanes - 1) s_lanes.Add(new Lane(s_lanes.Count + 1));
            for (int k = 1; k < lanes; k++) s_lanes[k - 1].Start(body);
            Exception? first = null;
            int limit = WorkerPool.CallingThreadLimit;
            WorkerPool.CallingThreadLimit = 1;
            try
            {
                body(0);
            }
            catch (Exception e)
            {
                first = e;
            }
            finally
            {
                WorkerPool.CallingThreadLimit = limit;
            }
            for (int k = 1; k < lanes; k++)
                if (s_lanes[k - 1].Wait() is { } e) first ??= e;
            if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private sealed class Lane
    {
        private readonly SemaphoreSlim _go = new(0);
        private readonly ManualResetEventSlim _done = new(false);
        private readonly int _index;
        private Action<int>? _body;
        private Exception? _error;

        public Lane(int index)
        {
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"AecOfa training lane {index}" }.Start();
        }

        public void Start(Action<int> body)
        {
            _body = body;
            _error = null;
            _done.Reset();
            _go.Release();
        }

        public Exception? Wait()
        {
            _done.Wait();
            _body = null;
            return _error;
        }

        private void Loop()
        {
            WorkerPool.CallingThreadLimit = 1;
            while (true)
            {
                _go.Wait();
                try
                {
                    _body!(_index);
                }
                catch (Exception e)
                {
                    _error = e;
                }
                _done.Set();
            }
        }
    }
}
