using AecOfa.Engine;

namespace AecOfa.Nas.Training;

/// <summary>
/// Builds the next training batch on a background thread while the current step runs. A batch is a pure function of
/// (positions, augmentation generator), both fixed before the work starts, so prefetching never changes results.
/// Only one batch is ever in flight, and the data source is never called from two threads at once.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly ITrainingData _data;
    private readonly bool _enabled;
    private Task<(Tensor, Tensor)>? _pending;
    private (int[] Positions, int Start, int Count)? _pendingKey;

    public BatchPrefetcher(ITrainingData data, bool enabled)
    {
        _data = data;
        _enabled = enabled;
    }

    /// <summary>The batch of positions[start..start+count) (the prefetched one when it is that batch), then starts
    /// preparing <paramref name="next"/> in the background.</summary>
    public (Tensor Features, Tensor Targets) Take(int[] positions, int start, int count, Random augmentation,
        (int[] Positions, int Start, Random Augmentation)? next)
    {
        (Tensor, Tensor) batch;
        if (_pending is { } pending && _pendingKey is { } key && ReferenceEquals(key.Positions, positions) && key.Start == start && key.Count == count)
            batch = pending.GetAwaiter().GetResult();
        else
        {
            Drain();
            batch = _data.Batch(positions.AsSpan(start, count), augmentation);
        }
        _pending = null;
        _pendingKey = null;
        if (_enabled && next is { } n)
        {
            // Copy the positions the background batch needs: the caller reshuffles its array at the next epoch.
            var copy = n.Positions.AsSpan(n.Start, count).ToArray();
            var rng = n.Augmentation;
            _pendingKey = (n.Positions, n.Start, count);
            _pending = Task.Run(() => _data.Batch(copy, rng));
        }
        return batch;
    }

    /// <summary>
    /// The features of the batch being prepared, waiting for it to be built; null when none is being prepared or it
    /// failed (<see cref="Take"/> meets that error again). <see cref="Take"/> returns this same tensor for that batch.
    /// Safe from another thread while the owner is not inside <see cref="Take"/> (a training step's lanes).
    /// </summary>
    public Tensor? UpcomingFeatures()
    {
        if (_pending is not { } pending) return null;
        try
        {
            return pending.GetAwaiter().GetResult().Item1;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private void Drain()
    {
        try
        {
            _pending?.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // A batch nobody asked for any more; its error (if real) recurs when that batch is built again.
        }
        _pending = null;
        _pendingKey = null;
    }

    public void Dispose() => Drain();
}
