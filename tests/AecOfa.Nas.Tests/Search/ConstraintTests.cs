using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

public class ConstraintTests
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    [Fact]
    public void Cost_constraints_use_the_flops_counter_with_an_inclusive_limit()
    {
        var counter = new FlopsCounter(Space);
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var c = ArchSampling.Sample(Space, rng);
            var cost = counter.Count(c);
            Assert.True(new MacsConstraint(Space, cost.Macs).IsSatisfied(c));
            Assert.False(new MacsConstraint(Space, cost.Macs - 1).IsSatisfied(c));
            Assert.True(new ParamsConstraint(Space, cost.Params).IsSatisfied(c));
            Assert.False(new ParamsConstraint(Space, cost.Params - 1).IsSatisfied(c));
        }
    }

    [Fact]
    public void Constraints_sharing_a_cache_count_each_config_once()
    {
        var costs = new SubnetCostCache(Space);
        var macs = new MacsConstraint(costs, 3_000_000);
        var prm = new ParamsConstraint(costs, 200_000);
        var rng = new Random(4);
        var configs = Enumerable.Range(0, 40).Select(_ => ArchSampling.Sample(Space, rng)).ToArray();
        foreach (var c in configs)
        {
            macs.IsSatisfied(c);
            prm.IsSatisfied(c);
            macs.IsSatisfied(c);
        }
        Assert.Equal(configs.Distinct().Count(), costs.Misses);
        Assert.Equal(3 * configs.Length - costs.Misses, costs.Hits);
    }

    [Fact]
    public void The_cost_cache_is_bounded()
    {
        var costs = new SubnetCostCache(Space, maxEntries: 8);
        var rng = new Random(5);
        for (int i = 0; i < 100; i++) costs.Cost(ArchSampling.Sample(Space, rng));
        Assert.InRange(costs.Count, 1, 8);
    }

    [Fact]
    public void Describe_names_the_budget()
    {
        Assert.Equal("MACs <= 5,000,000", new MacsConstraint(Space, 5_000_000).Describe());
        Assert.Equal("params <= 300,000", new ParamsConstraint(Space, 300_000).Describe());
        var min = ArchConfig.Min(Space);
        Assert.Equal($"{new FlopsCounter(Space).Macs(min):N0} MACs", new MacsConstraint(Space, 1).DescribeCost(min));
    }

    [Fact]
    public void An_infeasible_budget_names_the_budget_and_the_smallest_cost()
    {
        var min = ArchConfig.Min(Space);
        long minMacs = new FlopsCounter(Space).Macs(min);
        var tooSmall = new MacsConstraint(Space, minMacs - 1);
        var fine = new ParamsConstraint(Space, long.MaxValue);
        var e = Assert.Throws<ArgumentException>(() => SearchConstraints.EnsureFeasible(Space, [fine, tooSmall]));
        Assert.Equal("constraints", e.ParamName);
        Assert.Contains($"MACs <= {minMacs - 1:N0}", e.Message);
        Assert.Contains($"{minMacs:N0} MACs", e.Message);
        Assert.Contains("smallest sub-network", e.Message);
        Assert.DoesNotContain("params", e.Message);

        // Exactly the smallest cost is feasible.
        SearchConstraints.EnsureFeasible(Space, [new MacsConstraint(Space, minMacs), fine]);
    }

    [Fact]
    public void Strategies_refuse_an_infeasible_budget_before_evaluating_anything()
    {
        long minMacs = new FlopsCounter(Space).Macs(ArchConfig.Min(Space));
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(Space));
        IConstraint[] budget = [new MacsConstraint(Space, minMacs / 2)];
        Assert.Throws<ArgumentException>(() => new EvolutionSearch().Search(Space, fitness, budget, 1));
        Assert.Throws<ArgumentException>(() => new RandomSearch().Search(Space, fitness, budget, 1));
        Assert.Equal(0, fitness.Calls);
    }

    [Fact]
    public void Bad_constraint_arguments_are_named()
    {
        Assert.Equal("maxMacs", Assert.Throws<ArgumentOutOfRangeException>(() => new MacsConstraint(Space, 0)).ParamName);
        Assert.Equal("maxParams", Assert.Throws<ArgumentOutOfRangeException>(() => new ParamsConstraint(Space, -5)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => SearchConstraints.EnsureFeasible(Space, [null!]));
        Assert.Contains("constraints[0] is null", e.Message);
        var other = Space with { WidthMultiplier = 0.5 };
        e = Assert.Throws<ArgumentException>(() => SearchConstraints.EnsureFeasible(Space, [new MacsConstraint(other, long.MaxValue)]));
        Assert.Contains("another space", e.Message);
    }
}
