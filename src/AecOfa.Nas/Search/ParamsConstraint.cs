using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>Trainable parameters of the extracted sub-network &lt;= a budget.</summary>
public sealed class ParamsConstraint : CostConstraint
{
    public ParamsConstraint(ArchSpace space, long maxParams) : this(new SubnetCostCache(space), maxParams) { }

    /// <summary>Shares <paramref name="costs"/> with other constraints (each config is counted once for all).</summary>
    public ParamsConstraint(SubnetCostCache costs, long maxParams) : base(costs, maxParams, nameof(maxParams)) { }

    public override string Unit => "params";

    protected override long Select(SubnetCost cost) => cost.Params;
}
