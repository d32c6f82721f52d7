using System.Numerics.Tensors;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine;

/// <summary>
/// A private place for what one training task would write into state it shares with other tasks of the same step:
/// the gradients of leaf tensors (parameters) and the running statistics of training-mode batch norms. While
/// <see cref="Activate"/>'s scope is open on a thread, backward on that thread adds leaf gradients into this object's
/// own buffers instead of the leaves' <see cref="Tensor.Grad"/>, and batch norms take their batch-statistics buffers
/// from it and queue their running update here instead of applying it. <see cref="Commit"/> (on any thread, with no
/// scope of this object open) then adds the gradients into the leaves and applies the queued updates in the order
/// they were queued.
/// Why: tasks that each write into private state can run at the same time on different threads (the sandwich
/// rule's sub-networks), and committing them in a fixed order gives the same bits whichever thread ran which task
/// and when. Host tensors only; leaves on an accelerator keep the direct path.
/// </summary>
public sealed class DeferredWrites
{
    [ThreadStatic] private static DeferredWrites? t_current;

    private readonly Dictionary<Tensor, GradientBuffer> _gradients = new(ReferenceEqualityComparer.Instance);
    private readonly List<(Tensor Leaf, float[] Buffer)> _touched = [];
    private readonly Dictionary<int, List<(double[] Mean, double[] M2)>> _statistics = [];
    private readonly Dictionary<int, int> _statisticsUsed = [];
    private readonly List<RunningUpdate> _updates = [];
    private int _round = 1;
    private int _activeThread = -1;

    /// <summary>The object whose scope is open on the calling thread, or null.</summary>
    public static DeferredWrites? Current => t_current;

    /// <summary>Leaves that received a gradient since the last <see cref="Commit"/> or <see cref="Discard"/>.</summary>
    public int PendingGradients => _touched.Count;

    /// <summary>Running-statistics updates queued since the last <see cref="Commit"/> or <see cref="Discard"/>.</summary>
    public int PendingRunningUpdates => _updates.Count;

    /// <summary>Routes the calling thread's leaf gradients and batch-norm running updates here until disposed.</summary>
    public Scope Activate()
    {
        if (t_current is not null)
            throw new InvalidOperationException("DeferredWrites.Activate: a scope is already open on this thread (scopes do not nest).");
        if (Interlocked.CompareExchange(ref _activeThread, Environment.CurrentManagedThreadId, -1) != -1)
            throw new InvalidOperationException("DeferredWrites.Activate: this object is already active on another thread.");
        t_current = this;
        return new Scope(this);
    }

    /// <summary>
    /// Adds every pending gradient into its leaf's gradient (allocated as usual when the leaf has none yet), then
    /// applies the queued running-statistics updates in queue order, and empties this object for the next round.
    /// </summary>
    public void Commit() => CommitInOrder([this]);

    /// <summary>
    /// Commits every object of <paramref name="writes"/> in list order, with the bits of successive <see cref="Commit"/>
    /// calls, in one pass over each leaf's gradient: block by block (a block of the gradient and of every buffer stays
    /// in cache) the buffers that touched the leaf are added in list order. Each buffer and gradient is read once, not
    /// the gradient once per object.
    /// </summary>
    public static void CommitInOrder(IReadOnlyList<DeferredWrites> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (t_current is not null || writes.Any(w => Volatile.Read(ref w._activeThread) != -1))
            throw new InvalidOperationException("DeferredWrites: close every deferred-writes scope on this thread, and those of the objects committed, first.");
        var order = new List<Tensor>();
        var buffers = new Dictionary<Tensor, List<float[]>>(ReferenceEqualityComparer.Instance);
        foreach (var w in writes)
            foreach (var (leaf, buffer) in w._touched)
            {
                if (!buffers.TryGetValue(leaf, out var list))
                {
                    buffers.Add(leaf, list = []);
                    order.Add(leaf);
                }
                list.Add(buffer);
            }
        const int Block = 2048;
        foreach (var leaf in order)
        {
            var grad = leaf.GradForAccumulate();
            var list = buffers[leaf];
            for (int start = 0; start < grad.Length; start += Block)
            {
                int length = Math.Min(Block, grad.Length - start);
                var g = grad.Slice(start, length);
                foreach (var buffer in list) TensorPrimitives.Add(g, buffer.AsSpan(start, length), g);
            }
        }
        foreach (var w in writes)
        {
            foreach (var u in w._updates)
                BatchNormBatchStats.UpdateRunning(u.Count, u.Mean, u.M2, u.RunningMean.Span[..u.Channels], u.RunningVar.Span[..u.Channels], u.Momentum);
            w.Reset();
        }
    }

    /// <summary>Drops everything pending (a failed task): nothing reaches the leaves or the running statistics.</summary>
    public void Discard()
    {
        if (Volatile.Read(ref _activeThread) != -1) throw new InvalidOperationException("DeferredWrites.Discard: close the scope first.");
        Reset();
    }

    private void Reset()
    {
        _touched.Clear();
        _updates.Clear();
        _statisticsUsed.Clear();
        _round++;
    }

    /// <summary>
    /// The private gradient of <paramref name="leaf"/> for this round: on its first use in the round
    /// <paramref name="accumulate"/> is false and the buffer is cleared only when <paramref name="zeroed"/> (a caller
    /// that writes every element skips the clearing, as with <see cref="Tensor.GradForWrite"/>).
    /// </summary>
    internal Span<float> Gradient(Tensor leaf, bool zeroed, out bool accumulate)
    {
        if (!_gradients.TryGetValue(leaf, out var entry))
        {
            entry = new GradientBuffer(new float[leaf.Numel]);
            _gradients.Add(leaf, entry);
        }
        accumulate = entry.Round == _round;
        if (!accumulate)
        {
            entry.Round = _round;
            if (zeroed) Array.Clear(entry.Buffer);
            _touched.Add((leaf, entry.Buffer));
        }
        return entry.Buffer;
    }

    /// <summary>
    /// Batch-statistics buffers of exactly <paramref name="channels"/> for one training-mode batch norm call, owned by
    /// this object until the round ends (the layer's own buffers may be in use by another task at the same time).
    /// </summary>
    public (double[] Mean, double[] M2) StatisticsBuffers(int channels)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be >= 1");
        // Pairs are pooled by width and reused round after round, so a warm step allocates none.
        if (!_statistics.TryGetValue(channels, out var pool)) _statistics.Add(channels, pool = []);
        int used = _statisticsUsed.GetValueOrDefault(channels);
        if (used == pool.Count) pool.Add((new double[channels], new double[channels]));
        _statisticsUsed[channels] = used + 1;
        return pool[used];
    }

    /// <summary>
    /// Queues PyTorch's running update of the first <paramref name="channels"/> entries of the running statistics
    /// from batch statistics obtained from <see cref="StatisticsBuffers"/> (they must not be written again this round).
    /// </summary>
    public void DeferRunningUpdate(long count, double[] mean, double[] m2, Tensor runningMean, Tensor runningVar, int channels, float momentum)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(m2);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        if (mean.Length != channels || m2.Length != channels || runningMean.Numel < channels || runningVar.Numel < channels)
            throw new ArgumentException($"DeferredWrites.DeferRunningUpdate: {channels} channels, batch statistics of {mean.Length}/{m2.Length}, running statistics of {runningMean.Numel}/{runningVar.Numel}.");
        _updates.Add(new RunningUpdate(count, mean, m2, runningMean, runningVar, channels, momentum));
    }

    /// <summary>
    /// A training-mode batch norm's running update, or its deferral when a scope is open on this thread: the one
    /// call every batch-norm layer makes after computing its batch statistics.
    /// </summary>
    public static void UpdateRunning(long count, double[] mean, double[] m2, Tensor runningMean, Tensor runningVar, int channels, float momentum)
    {
        if (t_current is { } writes) writes.DeferRunningUpdate(count, mean, m2, runningMean, runningVar, channels, momentum);
        else BatchNormBatchStats.UpdateRunning(count, mean, m2, runningMean.Span[..channels], runningVar.Span[..channels], momentum);
    }

    private sealed class GradientBuffer(float[] buffer)
    {
        public readonly float[] Buffer = buffer;
        public int Round;
    }

    private readonly record struct RunningUpdate(long Count, double[] Mean, double[] M2, Tensor RunningMean, Tensor RunningVar, int Channels, float Momentum);

    /// <summary>Closes the scope of <see cref="Activate"/> (on the thread that opened it).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly DeferredWrites? _owner;

        internal Scope(DeferredWrites owner) => _owner = owner;

        public void Dispose()
        {
            if (_owner is null) return;
            if (!ReferenceEquals(t_current, _owner))
                throw new InvalidOperationException("DeferredWrites scope disposed on another thread than the one that opened it (or twice).");
            t_current = null;
            Volatile.Write(ref _owner._activeThread, -1);
        }
    }
}
