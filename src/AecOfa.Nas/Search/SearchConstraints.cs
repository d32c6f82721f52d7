using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>Checks over a list of constraints, shared by every strategy.</summary>
public static class SearchConstraints
{
    public static bool AllSatisfied(IReadOnlyList<IConstraint> constraints, ArchConfig config)
    {
        for (int i = 0; i < constraints.Count; i++)
            if (!constraints[i].IsSatisfied(config)) return false;
        return true;
    }

    /// <summary>"MACs &lt;= 5,000,000 and params &lt;= 300,000", or "no constraint".</summary>
    public static string Describe(IReadOnlyList<IConstraint> constraints) =>
        constraints.Count == 0 ? "no constraint" : string.Join(" and ", constraints.Select(c => c.Describe()));

    /// <summary>
    /// Refuses a constraint list no sub-network of <paramref name="space"/> can meet: the smallest sub-network
    /// (<see cref="ArchConfig.Min"/>) must satisfy every constraint (constraints are monotone, so if it does not,
    /// nothing does). Throws <see cref="ArgumentException"/> naming each unmet budget and what the smallest costs;
    /// also refuses null entries, and cost or latency constraints made for another space.
    /// </summary>
    public static void EnsureFeasible(ArchSpace space, IReadOnlyList<IConstraint> constraints)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(constraints);
        space.Validate();
        for (int i = 0; i < constraints.Count; i++)
        {
            if (constraints[i] is null) throw new ArgumentException($"constraints[{i}] is null; expected a constraint", nameof(constraints));
            if (constraints[i] is CostConstraint cost && !cost.Space.Equals(space))
                throw new ArgumentException(
                    $"constraints[{i}] ({cost.Describe()}) counts costs for another space than the one searched; build it from the searched space",
                    nameof(constraints));
            if (constraints[i] is LatencyConstraint latency && !latency.Space.Equals(space))
                throw new ArgumentException(
                    $"constraints[{i}] ({latency.Describe()}) predicts latencies for another space than the one searched; measure the latency table for the searched space",
                    nameof(constraints));
        }
        var smallest = ArchConfig.Min(space);
        var unmet = constraints.Where(c => !c.IsSatisfied(smallest)).ToList();
        if (unmet.Count == 0) return;
        throw new ArgumentException(
            "Infeasible budget: " + string.Join("; ", unmet.Select(c =>
                $"{c.Describe()} cannot be met, the smallest sub-network ({smallest}) already needs {c.DescribeCost(smallest)}")),
            nameof(constraints));
    }
}
