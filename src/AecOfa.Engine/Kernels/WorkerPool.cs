using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// The work of one <see cref="WorkerPool.For{TBody}(int, ref TBody)"/> call: <see cref="Invoke"/> processes the
/// half-open index range [begin, end). It is called concurrently from several threads on the SAME struct
/// instance, each with a disjoint range, so it must only read its fields (or write disjoint outputs).
/// Hold inputs and outputs as arrays or pinned pointers (spans cannot live in a struct that crosses threads).
/// </summary>
public interface IRangeBody
{
    void Invoke(int begin, int end);
}

/// <summary>
/// A persistent pool of worker threads for the engine's kernels (no Parallel.For or Task per call).
/// <see cref="For{TBody}(int, ref TBody)"/> splits [0, count) into at most <see cref="MaxThreads"/> contiguous
/// ranges of (almost) equal size, runs range 0 on the calling thread and the others on pool threads, and returns
/// when all are done. The split depends only on count and the thread count, never on timing (static schedule),
/// so a body whose per-index results do not depend on the range boundaries gives bitwise identical results for
/// any thread count. Per call it allocates nothing.
/// Exceptions thrown by any range are rethrown on the caller (the first one, with its original stack trace)
/// after every range has finished. Calls made while the pool is busy (from another thread, or nested from inside
/// a body) run the whole range inline on the calling thread: correct, just not parallel.
/// </summary>
public static unsafe class WorkerPool
{
    private static int s_maxThreads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Most threads (the caller included) one call uses; default Environment.ProcessorCount. Benchmarks and
    /// determinism tests set 1 or 2. Worker threads are created lazily when first needed and then kept.
    /// </summary>
    public static int MaxThreads
    {
        get
        {
            int max = Volatile.Read(ref s_maxThreads), limit = t_callingThreadLimit;
            return limit > 0 && limit < max ? limit : max;
        }
        set
        {
            if (value < 1 || value > 256)
                throw new ArgumentOutOfRangeException(nameof(value), value, "WorkerPool.MaxThreads must be in [1, 256].");
            Volatile.Write(ref s_maxThreads, value);
        }
    }

    [ThreadStatic] private static int t_callingThreadLimit;

    /// <summary>
    /// A cap on <see cref="MaxThreads"/> for calls made from the calling thread only (0 = none): a training loop can
    /// choose its own thread count without changing the process-wide setting other threads (another trainer, a
    /// benchmark) rely on. The caller restores the previous value when done.
    /// </summary>
    public static int CallingThreadLimit
    {
        get => t_callingThreadLimit;
        set
        {
            if (value < 0 || value > 256)
                throw new ArgumentOutOfRangeException(nameof(value), value, "WorkerPool.CallingThreadLimit must be 0 (none) or in [1, 256].");
            t_callingThreadLimit = value;
        }
    }

    /// <summary>Runs body.Invoke over contiguous ranges covering [0, count) on up to <see cref="MaxThreads"/> threads.</summary>
    public static void For<TBody>(int count, ref TBody body) where TBody : struct, IRangeBody
        => For(count, ref body, MaxThreads);

    /// <summary>
    /// As <see cref="For{TBody}(int, ref TBody)"/> with an explicit thread cap instead of <see cref="MaxThreads"/>
    /// (clamped to [1, 256]); range i of p is [i*count/p, (i+1)*count/p) with p = min(count, maxThreads).
    /// </summary>
    public static void For<TBody>(int count, ref TBody body, int maxThreads) where TBody : struct, IRangeBody
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "WorkerPool.For: count must be >= 0.");
        if (count == 0) return;
        int parts = Math.Min(count, Math.Clamp(maxThreads, 1, 256));
        if (parts == 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            body.Invoke(0, count);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            // Workers reach the body through a pointer to this stack copy: a stack slot never moves under the GC
            // (a ref into a heap object could), and it stays alive because this frame waits for the workers.
            TBody local = body;
            s_fn = &InvokeBody<TBody>;
            s_state = Unsafe.AsPointer(ref local);
            s_error = null;
            s_pending = parts - 1;
            s_done.Reset();
            for (int w = 1; w < parts; w++)
            {
                Worker worker = s_workers[w - 1];
                worker.Begin = (int)((long)w * count / parts);
                worker.End = (int)((long)(w + 1) * count / parts);
                worker.Go.Set();
            }
            try
            {
                local.Invoke(0, (int)((long)count / parts));
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
            }
            finally
            {
                s_done.Wait(); // never leave while a worker may still touch `local`
            }
            body = local;
            s_state = null;
            Exception? error = s_error;
            s_error = null;
            if (error != null) ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void InvokeBody<TBody>(void* state, int begin, int end) where TBody : struct, IRangeBody
        => Unsafe.AsRef<TBody>(state).Invoke(begin, end);

    private sealed class Worker
    {
        public readonly Signal Go = new();
        public int Begin, End;
    }

    /// <summary>
    /// A one-waiter-at-a-time event: spins briefly (back-to-back kernel calls wake without a kernel transition),
    /// then blocks on a monitor. Unlike ManualResetEventSlim it never allocates lazily on its first blocking wait.
    /// </summary>
    private sealed class Signal
    {
        private readonly object _lock = new();
        private int _set, _waiters;

        /// <summary>How long a waiter spins (yielding) before it blocks on the monitor: 1 ms.</summary>
        private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 1000;

        public void Reset() => Volatile.Write(ref _set, 0);

        public void Set()
        {
            Interlocked.Exchange(ref _set, 1); // full fence before reading _waiters (pairs with the waiter's increment)
            if (Volatile.Read(ref _waiters) == 0) return;
            lock (_lock) Monitor.PulseAll(_lock);
        }

        public void Wait()
        {
            // Spin by time, not by count: between two parallel regions of a training step the caller runs serial
            // glue and small ops for tens to hundreds of microseconds; a worker that blocked by then pays a futex
            // wake-up (tens of microseconds) at the next region, which for the many short regions of a small
            // network costs more than the region saves.
            var spinner = new SpinWait();
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                if (Volatile.Read(ref _set) != 0) return;
                spinner.SpinOnce(sleep1Threshold: -1);
                if (spinner.Count >= 100 && System.Diagnostics.Stopwatch.GetTimestamp() > deadline) break;
            }
            lock (_lock)
            {
                Interlocked.Increment(ref _waiters);
                while (Volatile.Read(ref _set) == 0) Monitor.Wait(_lock);
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    private static readonly object s_createLock = new();
    private static Worker[] s_workers = [];
    private static readonly Signal s_done = new();
    private static int s_busy, s_pending;
    private static delegate*<void*, int, int, void> s_fn;
    private static void* s_state;
    private static Exception? s_error;

    private static void EnsureWorkers(int needed)
    {
        if (s_workers.Length >= needed) return;
        lock (s_createLock)
        {
            if (s_workers.Length >= needed) return;
            var grown = new Worker[needed];
            Array.Copy(s_workers, grown, s_workers.Length);
            for (int i = s_workers.Length; i < needed; i++)
            {
                var worker = new Worker();
                grown[i] = worker;
                var thread = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"AecOfa.WorkerPool #{i + 1}" };
                thread.Start();
            }
            s_workers = grown;
        }
    }

    private static void WorkerLoop(Worker self)
    {
        while (true)
        {
            self.Go.Wait();
            self.Go.Reset();
            try
            {
                s_fn(s_state, self.Begin, self.End);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
            }
            if (Interlocked.Decrement(ref s_pending) == 0) s_done.Set();
        }
    }
}
