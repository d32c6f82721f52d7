using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// <see cref="FlopsCounter.Count(ArchConfig)"/> memoized per config, so that a MACs and a params constraint built on
/// the same cache count each proposed config once, and configs the operators propose again (a mutant equal to its
/// parent, a re-drawn sample) cost a lookup. Bounded: when <see cref="MaxEntries"/> is reached the cache is cleared
/// (rejected proposals are rarely proposed again, so keeping them all would only grow memory). Not thread-safe.
/// </summary>
public sealed class SubnetCostCache
{
    public const int DefaultMaxEntries = 1 << 16;

    private readonly FlopsCounter _counter;
    private readonly Dictionary<ArchConfig, SubnetCost> _costs = new();

    public SubnetCostCache(ArchSpace space, int maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (maxEntries < 1)
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "the cache must be allowed at least one entry");
        _counter = new FlopsCounter(space);
        MaxEntries = maxEntries;
    }

    public ArchSpace Space => _counter.Space;
    public int MaxEntries { get; }
    public int Count => _costs.Count;
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <summary>MACs and params of <paramref name="config"/> on the input its resolution genes select.</summary>
    public SubnetCost Cost(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_costs.TryGetValue(config, out var cost))
        {
            Hits++;
            return cost;
        }
        Misses++;
        cost = _counter.Count(config);
        if (_costs.Count >= MaxEntries) _costs.Clear();
        _costs.Add(config, cost);
        return cost;
    }
}
