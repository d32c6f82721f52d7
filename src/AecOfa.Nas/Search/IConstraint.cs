using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// A hard limit a searched sub-network must respect (a compute budget). The strategies resample until every
/// constraint is satisfied, so <see cref="IsSatisfied"/> is called for every proposed config and must be cheap.
/// Constraints are assumed MONOTONE: a sub-network that is smaller in every gene never costs more, so
/// <see cref="ArchConfig.Min"/> is the cheapest config and decides whether a budget is feasible at all
/// (<see cref="SearchConstraints.EnsureFeasible"/>).
/// </summary>
public interface IConstraint
{
    bool IsSatisfied(ArchConfig config);

    /// <summary>The limit in words, e.g. "MACs &lt;= 5,000,000".</summary>
    string Describe();

    /// <summary>What <paramref name="config"/> costs in this constraint's unit, e.g. "6,123,456 MACs" (for messages).</summary>
    string DescribeCost(ArchConfig config);
}
