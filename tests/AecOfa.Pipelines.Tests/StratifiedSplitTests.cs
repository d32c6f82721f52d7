using AecOfa.Pipelines.Data;

namespace AecOfa.Pipelines.Tests;

public class StratifiedSplitTests
{
    [Theory]
    [InlineData(1, 0.15)]
    [InlineData(2, 0.15)]
    [InlineData(3, 0.3)]
    [InlineData(4, 0.5)]
    [InlineData(5, 0.05)]
    public void Carve_is_deterministic_stratified_disjoint_and_complete(int seed, double fraction)
    {
        var rng = new Random(seed);
        // Uneven class sizes (1 to 40 clips), items in a scrambled order with gaps in their ids.
        var classOf = new Dictionary<int, int>();
        var items = new List<int>();
        for (int c = 0; c < 7; c++)
        {
            int size = c == 0 ? 1 : rng.Next(2, 41);
            for (int i = 0; i < size; i++)
            {
                int id = 3 * items.Count + rng.Next(3);
                classOf[id] = c;
                items.Add(id);
            }
        }
        var input = items.OrderBy(_ => rng.Next()).ToArray();
        var copy = input.ToArray();

        var (kept, held) = StratifiedSplit.Carve(input, i => classOf[i], fraction, seed: 11);

        Assert.Equal(copy, input); // the input is not modified
        var again = StratifiedSplit.Carve(input.ToArray(), i => classOf[i], fraction, seed: 11);
        Assert.Equal(kept, again.Kept);
        Assert.Equal(held, again.HeldOut);
        Assert.Empty(kept.Intersect(held));
        Assert.Equal(input.Order(), kept.Concat(held).Order());
        // Both keep the input order.
        Assert.Equal(input.Where(kept.Contains), kept);
        Assert.Equal(input.Where(held.Contains), held);

        foreach (var group in input.GroupBy(i => classOf[i]))
        {
            int n = group.Count(), h = held.Count(i => classOf[i] == group.Key);
            if (n == 1) Assert.Equal(0, h); // a class of one clip stays in training
            else
            {
                Assert.InRange(h, 1, n - 1); // every class of two or more is in both parts
                Assert.True(Math.Abs(h - fraction * n) <= 1, $"class {group.Key}: {h} of {n} held out at fraction {fraction}");
            }
        }
    }

    [Fact]
    public void Another_seed_holds_out_other_clips_with_the_same_counts()
    {
        var items = Enumerable.Range(0, 60).ToArray();
        static int Stratum(int i) => i % 3;
        var a = StratifiedSplit.Carve(items, Stratum, 0.2, seed: 1);
        var b = StratifiedSplit.Carve(items, Stratum, 0.2, seed: 2);
        Assert.NotEqual(a.HeldOut, b.HeldOut);
        Assert.Equal(a.HeldOut.GroupBy(Stratum).Select(g => g.Count()), b.HeldOut.GroupBy(Stratum).Select(g => g.Count()));
        Assert.Equal(12, a.HeldOut.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Carve(items, Stratum, 1.0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Carve(items, Stratum, 0, seed: 1));
    }
}
