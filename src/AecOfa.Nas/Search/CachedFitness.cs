using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// Memoizes any fitness per config (value equality of <see cref="ArchConfig"/>), so repeated questions — from
/// several searches over one supernet, or from a predictor's training set and a later search — cost one
/// evaluation. Counts <see cref="Hits"/> and <see cref="Misses"/> (= evaluations of the inner fitness). Unbounded
/// (fitness evaluations are expensive, so their count is small). Not thread-safe.
/// </summary>
public sealed class CachedFitness : IFitness
{
    private readonly IFitness _inner;
    private readonly Dictionary<ArchConfig, double> _values = new();

    public CachedFitness(IFitness inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    public long Hits { get; private set; }

    /// <summary>Calls of the inner fitness.</summary>
    public long Misses { get; private set; }

    /// <summary>Every config evaluated so far with its fitness.</summary>
    public IReadOnlyDictionary<ArchConfig, double> Values => _values;

    public double Evaluate(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_values.TryGetValue(config, out double value))
        {
            Hits++;
            return value;
        }
        Misses++;
        value = _inner.Evaluate(config);
        _values.Add(config, value);
        return value;
    }
}
