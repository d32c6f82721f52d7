using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

public class ParetoFrontTests
{
    [Fact]
    public void Dominated_points_and_ties_are_dropped()
    {
        (double Cost, double Score)[] points =
        [
            (10, 0.50), // 0: front
            (20, 0.40), // 1: dominated by 0 (costs more, scores less)
            (20, 0.60), // 2: front
            (30, 0.60), // 3: dominated by 2 (same score, costs more)
            (20, 0.60), // 4: identical to 2: only the first is kept
            (5, 0.30),  // 5: front (cheapest)
            (40, 0.90), // 6: front
            (10, 0.45), // 7: dominated by 0 (same cost, scores less)
            (50, 0.90), // 8: dominated by 6
        ];
        Assert.Equal([5, 0, 2, 6], ParetoFront.Indices(points));
    }

    [Fact]
    public void Agrees_with_the_definition_on_random_points_with_many_ties()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = rng.Next(1, 40);
            var costs = Enumerable.Range(0, n).Select(_ => (double)rng.Next(6)).ToArray();
            var scores = Enumerable.Range(0, n).Select(_ => (double)rng.Next(6)).ToArray();
            // Definition: not dominated, and not an identical copy of an earlier point.
            var expected = Enumerable.Range(0, n).Where(i =>
                !Enumerable.Range(0, n).Any(j =>
                    (costs[j] <= costs[i] && scores[j] >= scores[i] && (costs[j] < costs[i] || scores[j] > scores[i]))
                    || (j < i && costs[j] == costs[i] && scores[j] == scores[i])))
                .OrderBy(i => costs[i]).ToArray();
            Assert.Equal(expected, ParetoFront.Indices(costs, scores));
        }
    }

    [Fact]
    public void A_search_result_front_trades_MACs_for_fitness()
    {
        var space = SearchTestSpaces.Demo;
        var fitness = new SearchTestSpaces.TargetMatchFitness(ArchConfig.Max(space));
        var result = new RandomSearch(new RandomSearchOptions { Evaluations = 200 }).Search(space, fitness, [], 1);
        var front = result.ParetoFront();
        Assert.True(front.Count >= 2);
        for (int i = 1; i < front.Count; i++)
        {
            Assert.True(front[i].Macs > front[i - 1].Macs);
            Assert.True(front[i].Fitness > front[i - 1].Fitness);
        }
        Assert.Equal(result.Best.Fitness, front[^1].Fitness);
        // Every candidate is matched or beaten by a front member that costs no more.
        Assert.All(result.Candidates, c => Assert.Contains(front, f => f.Macs <= c.Macs && f.Fitness >= c.Fitness));
    }

    [Fact]
    public void Empty_input_and_bad_input()
    {
        Assert.Empty(ParetoFront.Indices([], []));
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => ParetoFront.Indices([1.0, 2.0], [1.0])).ParamName);
        Assert.Contains("scores[1] is NaN", Assert.Throws<ArgumentException>(() => ParetoFront.Indices([1.0, 2.0], [1.0, double.NaN])).Message);
    }
}
