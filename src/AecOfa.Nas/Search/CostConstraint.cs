using System.Globalization;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>An upper bound on one analytic cost of <see cref="FlopsCounter"/> (MACs or parameters), read through a
/// <see cref="SubnetCostCache"/>. The bound is inclusive: a config costing exactly <see cref="Limit"/> fits.</summary>
public abstract class CostConstraint : IConstraint
{
    protected CostConstraint(SubnetCostCache costs, long limit, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (limit < 1) throw new ArgumentOutOfRangeException(argumentName, limit, $"the {Unit} budget must be >= 1");
        Costs = costs;
        Limit = limit;
    }

    public SubnetCostCache Costs { get; }

    /// <summary>The space the costs are counted for; a search over another space is refused.</summary>
    public ArchSpace Space => Costs.Space;

    public long Limit { get; }

    /// <summary>Name of the cost in messages ("MACs", "params").</summary>
    public abstract string Unit { get; }

    /// <summary>The constrained cost of <paramref name="config"/>.</summary>
    public long CostOf(ArchConfig config) => Select(Costs.Cost(config));

    protected abstract long Select(SubnetCost cost);

    public bool IsSatisfied(ArchConfig config) => CostOf(config) <= Limit;

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Unit} <= {Limit:N0}");

    public string DescribeCost(ArchConfig config) => string.Create(CultureInfo.InvariantCulture, $"{CostOf(config):N0} {Unit}");

    public override string ToString() => Describe();
}
