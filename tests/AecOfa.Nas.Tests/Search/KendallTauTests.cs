using AecOfa.Nas.Search;

namespace AecOfa.Nas.Tests.Search;

public class KendallTauTests
{
    /// <summary>O(n²) tau-b straight from the definition.</summary>
    private static double Naive(double[] a, double[] b)
    {
        long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0, pairs = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = i + 1; j < a.Length; j++)
            {
                pairs++;
                int sa = Math.Sign(a[i] - a[j]), sb = Math.Sign(b[i] - b[j]);
                if (sa == 0) tiesA++;
                if (sb == 0) tiesB++;
                if (sa * sb > 0) concordant++;
                else if (sa * sb < 0) discordant++;
            }
        return (concordant - discordant) / Math.Sqrt((double)(pairs - tiesA) * (pairs - tiesB));
    }

    [Fact]
    public void Hand_cases()
    {
        Assert.Equal(1.0, KendallTau.TauB([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), 12);
        Assert.Equal(-1.0, KendallTau.TauB([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), 12);
        // One swapped neighbour pair of 4: C = 5, D = 1 -> 4/6.
        Assert.Equal(4.0 / 6, KendallTau.TauB([1, 2, 3, 4], [1, 3, 2, 4]), 12);
        // Ties (scipy.stats.kendalltau([1,2,2,3], [1,2,3,3]) = 0.8): C = 4, D = 0, one tie on each side -> 4/5.
        Assert.Equal(0.8, KendallTau.TauB([1, 2, 2, 3], [1, 2, 3, 3]), 12);
        // A pair tied on both sides counts in neither.
        Assert.Equal(Naive([1, 1, 2, 3], [4, 4, 5, 1]), KendallTau.TauB([1, 1, 2, 3], [4, 4, 5, 1]), 12);
    }

    [Fact]
    public void Undefined_cases_are_NaN()
    {
        Assert.True(double.IsNaN(KendallTau.TauB([], [])));
        Assert.True(double.IsNaN(KendallTau.TauB([1], [2])));
        Assert.True(double.IsNaN(KendallTau.TauB([1, 1, 1], [1, 2, 3])));
        Assert.True(double.IsNaN(KendallTau.TauB([1, 2, 3], [7, 7, 7])));
    }

    [Fact]
    public void Matches_the_naive_reference_on_random_data_with_ties()
    {
        var rng = new Random(12);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(2, 120), levels = rng.Next(2, 12);
            var a = Enumerable.Range(0, n).Select(_ => (double)rng.Next(levels)).ToArray();
            var b = Enumerable.Range(0, n).Select(i => rng.NextDouble() < 0.5 ? a[i] + rng.Next(3) : rng.Next(levels)).ToArray();
            double expected = Naive(a, b);
            if (double.IsNaN(expected)) Assert.True(double.IsNaN(KendallTau.TauB(a, b)));
            else Assert.Equal(expected, KendallTau.TauB(a, b), 12);
        }
    }

    [Fact]
    public void Bad_input_is_named()
    {
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => KendallTau.TauB([1, 2], [1])).ParamName);
        Assert.Contains("a[1] is NaN", Assert.Throws<ArgumentException>(() => KendallTau.TauB([1, double.NaN], [1, 2])).Message);
    }
}
