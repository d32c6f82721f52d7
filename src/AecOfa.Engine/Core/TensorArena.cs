namespace AecOfa.Engine;

/// <summary>
/// An opt-in, exact-size buffer pool for tensor storage, so that a training loop allocates (almost) nothing per
/// step once warm. While a scope from <see cref="Begin"/> is active on a thread, every op result, every gradient
/// buffer and op scratch on that thread take their storage from this arena. Intermediate gradients go back to the
/// pool as soon as backward has consumed them (nothing else can reference them). When the scope ends, everything
/// else handed out inside it goes back too: those tensors are RELEASED (reading their data throws
/// ObjectDisposedException), and leaf gradients allocated inside the scope are set to null on their tensors, so
/// a parameter never points at recycled storage. Read what you need (loss.Item(), Detach()) and run the optimizer
/// step before the scope ends. Tensors created outside a scope (Tensor.Zeros, parameters, inputs) are never touched.
/// One arena serves one thread at a time; scopes do not nest.
/// </summary>
public sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? t_current;

    private readonly Dictionary<int, Stack<float[]>> _free = new();
    private readonly Dictionary<int, long> _lastUse = new(); // per buffer length: the use counter at its last rent
    private long _uses;
    private readonly List<(Tensor Tensor, Tensor? Owner, bool OwnsStorage)> _issued = new();
    private readonly DeviceBufferPool _device = new();
    private int _ownerThread = -1;

    /// <summary>The arena active on this thread, or null.</summary>
    internal static TensorArena? Current => t_current;

    /// <summary>Buffers handed out that came from the pool (a warm step rents everything from the pool).</summary>
    public long Reused { get; private set; }

    /// <summary>Buffers that had to be allocated because the pool had none of that size.</summary>
    public long Allocated { get; private set; }

    /// <summary>Floats held in free buffers right now (the arena's footprint between steps).</summary>
    public long PooledFloats
    {
        get
        {
            long s = 0;
            foreach (var (len, stack) in _free) s += (long)len * stack.Count;
            return s;
        }
    }

    /// <summary>Activates this arena on the calling thread until the returned scope is disposed.</summary>
    public Scope Begin()
    {
        if (t_current is not null)
            throw new InvalidOperationException("TensorArena.Begin: an arena scope is already active on this thread (scopes do not nest).");
        if (_ownerThread != -1)
            throw new InvalidOperationException("TensorArena.Begin: this arena is already active on another thread.");
        _ownerThread = Environment.CurrentManagedThreadId;
        t_current = this;
        return new Scope(this);
    }

    /// <summary>
    /// A scope only where it matters for an accelerator: on <paramref name="device"/> other than the host, and when no
    /// scope is active on this thread, this begins one, so that the device buffers of a pass outside training
    /// (evaluation, recalibration: one scope per batch) are recycled and freed deterministically rather than by the GC;
    /// otherwise it returns an empty scope and nothing changes.
    /// </summary>
    public Scope BeginOnDevice(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.IsCpu || t_current is not null ? default : Begin();
    }

    /// <summary>
    /// Begins a scope on the calling thread unless one is already active there (then an empty scope): for passes
    /// outside training (evaluation, recalibration: one scope per batch) whose large activations would otherwise be
    /// fresh GC memory every batch. Returns the same kind of scope as <see cref="Begin"/>.
    /// </summary>
    public Scope BeginUnlessActive() => t_current is not null ? default : Begin();

    /// <summary>
    /// A point in the active scope for <see cref="ReleaseSince"/>: -1 (nothing will be released) unless a scope is
    /// active on this thread and no gradients are recorded (<see cref="GradMode"/> disabled). Only then are a block's
    /// intermediates dead once it has returned: no backward will read them.
    /// </summary>
    public static int InferenceMark() => t_current is { } arena && !GradMode.IsEnabled ? arena._issued.Count : -1;

    /// <summary>
    /// Inference inside a scope (with a mark from <see cref="InferenceMark"/>): gives every host tensor handed out since
    /// the mark back to the pool, except <paramref name="keep"/> and the tensors that share its storage, so that a
    /// forward through many blocks holds the buffers of one block at a time instead of all of them, and the next block
    /// of the same shape reuses them. The caller guarantees that nothing else references them (the internals of a
    /// no-grad block, as a network's block loop does). Released tensors throw on read, as at the end of the scope.
    /// </summary>
    public static void ReleaseSince(int mark, Tensor keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (mark < 0 || t_current is not { } arena || keep.IsReleased || !keep.IsOnCpu) return;
        var issued = arena._issued;
        if (mark > issued.Count)
            throw new InvalidOperationException($"TensorArena.ReleaseSince: mark {mark} is past the {issued.Count} tensors of this scope (a mark from another scope?).");
        var kept = keep.Data;
        int write = mark;
        for (int i = mark; i < issued.Count; i++)
        {
            var entry = issued[i];
            var t = entry.Tensor;
            if (t.IsReleased) continue; // given back early already
            if (!t.IsOnCpu || entry.Owner is not null || ReferenceEquals(t.Data, kept))
            {
                issued[write++] = entry; // device buffers and gradients wait for the end of the scope
                continue;
            }
            var data = t.Release();
            if (entry.OwnsStorage && data is not null) arena.Return(data);
        }
        issued.RemoveRange(write, issued.Count - write);
    }

    /// <summary>
    /// Keeps at most <paramref name="maxFloats"/> floats in free host buffers, dropping the buffer sizes rented longest
    /// ago first (the GC reclaims them): a pool that serves passes of changing shapes (a search over sub-networks)
    /// stays bounded, while the shapes of the latest passes stay warm. Only between scopes.
    /// </summary>
    public void TrimTo(long maxFloats)
    {
        if (maxFloats < 0) throw new ArgumentOutOfRangeException(nameof(maxFloats), maxFloats, "must be >= 0");
        if (_ownerThread != -1) throw new InvalidOperationException("TensorArena.TrimTo: a scope is active.");
        long pooled = PooledFloats;
        if (pooled <= maxFloats) return;
        foreach (int length in _free.Keys.OrderBy(len => _lastUse.GetValueOrDefault(len)).ToList())
        {
            pooled -= (long)length * _free[length].Count;
            _free.Remove(length);
            _lastUse.Remove(length);
            if (pooled <= maxFloats) break;
        }
    }

    /// <summary>Drops every pooled buffer (the GC reclaims host ones; device ones are freed). Only between scopes.</summary>
    public void Clear()
    {
        if (_ownerThread != -1) throw new InvalidOperationException("TensorArena.Clear: a scope is active.");
        _free.Clear();
        _lastUse.Clear();
        _device.Clear();
    }

    /// <summary>Device buffers for op results and gradients on an accelerator, recycled like the host ones.</summary>
    internal DeviceBufferPool DevicePool => _device;

    internal float[] Rent(int length, bool zeroed)
    {
        _lastUse[length] = ++_uses;
        if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            Reused++;
            var buffer = stack.Pop();
            if (zeroed) Array.Clear(buffer);
            return buffer;
        }
        Allocated++;
        return new float[length];
    }

    internal void Track(Tensor t, Tensor? owner) => _issued.Add((t, owner, true));

    internal void TrackView(Tensor t) => _issued.Add((t, null, false));

    /// <summary>Returns an intermediate gradient right after backward consumed it (only tensors this arena owns).</summary>
    internal static void ReleaseEarly(Tensor t)
    {
        var arena = t_current;
        if (arena is null) return;
        // Only buffers handed out in this scope are ours; the linear search is over the tail, where recent grads are.
        var issued = arena._issued;
        for (int i = issued.Count - 1; i >= 0; i--)
        {
            if (!ReferenceEquals(issued[i].Tensor, t)) continue;
            if (!t.IsOnCpu) arena.ReturnDevice(t, issued[i].OwnsStorage);
            else if (issued[i].OwnsStorage && t.Release() is { } data) arena.Return(data);
            return;
        }
    }

    private void Return(float[] data)
    {
        if (!_free.TryGetValue(data.Length, out var stack))
        {
            stack = new Stack<float[]>();
            _free[data.Length] = stack;
        }
        stack.Push(data);
    }

    /// <summary>Releases a device tensor; its buffer goes back to the pool when the tensor owned it (not a view).</summary>
    private void ReturnDevice(Tensor t, bool owns)
    {
        var gpu = t.Device.Accelerated;
        if (t.TakeDeviceBuffer() is { } buffer && owns) _device.Return(gpu, t.Numel, buffer);
    }

    private void End()
    {
        foreach (var (t, owner, owns) in _issued)
        {
            if (owner is not null && ReferenceEquals(owner.Grad, t)) owner.Grad = null;
            if (!t.IsOnCpu)
            {
                ReturnDevice(t, owns);
                continue;
            }
            var data = t.Release();
            if (owns && data is not null) Return(data);
        }
        _issued.Clear();
        _ownerThread = -1;
        t_current = null;
    }

    /// <summary>The active period of an arena; disposing it releases everything handed out inside it.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly TensorArena? _arena;

        internal Scope(TensorArena arena) => _arena = arena;

        public void Dispose()
        {
            if (_arena is null) return;
            if (_arena._ownerThread != Environment.CurrentManagedThreadId)
                throw new InvalidOperationException("TensorArena scope disposed on another thread than the one that began it (or twice).");
            _arena.End();
        }
    }
}
