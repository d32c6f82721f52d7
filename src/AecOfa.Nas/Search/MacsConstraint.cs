using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>MACs of one forward pass on one example (at the config's own input resolution) &lt;= a budget.</summary>
public sealed class MacsConstraint : CostConstraint
{
    public MacsConstraint(ArchSpace space, long maxMacs) : this(new SubnetCostCache(space), maxMacs) { }

    /// <summary>Shares <paramref name="costs"/> with other constraints (each config is counted once for all).</summary>
    public MacsConstraint(SubnetCostCache costs, long maxMacs) : base(costs, maxMacs, nameof(maxMacs)) { }

    public override string Unit => "MACs";

    protected override long Select(SubnetCost cost) => cost.Macs;
}
