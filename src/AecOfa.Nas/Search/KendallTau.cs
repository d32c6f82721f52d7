namespace AecOfa.Nas.Search;

/// <summary>
/// Kendall's rank correlation tau-b, the agreement of two rankings with ties accounted for (scipy.stats.kendalltau's
/// default): (concordant − discordant) / sqrt((n0 − ties in a) × (n0 − ties in b)), n0 = n(n−1)/2. It is what
/// matters for a fitness predictor: a search only needs the predicted ORDER of sub-networks to be right.
/// </summary>
public static class KendallTau
{
    /// <summary>
    /// Tau-b of <paramref name="a"/> and <paramref name="b"/> (paired), in O(n log n) by Knight's algorithm: sort by
    /// (a, b), count discordant pairs as the inversions of b in that order with a merge sort. NaN when it is
    /// undefined: fewer than two points, or either side constant.
    /// </summary>
    public static double TauB(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"a has {a.Length} values and b {b.Length}; expected pairs of equal length", nameof(b));
        for (int i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(a[i])) throw new ArgumentException($"a[{i}] is NaN; expected a number", nameof(a));
            if (double.IsNaN(b[i])) throw new ArgumentException($"b[{i}] is NaN; expected a number", nameof(b));
        }
        int n = a.Length;
        if (n < 2) return double.NaN;

        var x = a.ToArray();
        var y = b.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (p, q) =>
        {
            int byA = x[p].CompareTo(x[q]);
            return byA != 0 ? byA : y[p].CompareTo(y[q]);
        });

        long pairs = (long)n * (n - 1) / 2;
        long tiesA = 0, tiesBoth = 0;
        for (int i = 0, runA = 1, runBoth = 1; i < n; i++)
        {
            bool last = i == n - 1;
            bool sameA = !last && x[order[i + 1]] == x[order[i]];
            bool sameBoth = sameA && y[order[i + 1]] == y[order[i]];
            if (sameBoth) runBoth++;
            else { tiesBoth += (long)runBoth * (runBoth - 1) / 2; runBoth = 1; }
            if (sameA) runA++;
            else { tiesA += (long)runA * (runA - 1) / 2; runA = 1; }
        }

        var sortedB = new double[n];
        for (int i = 0; i < n; i++) sortedB[i] = y[order[i]];
        long discordant = CountInversions(sortedB, new double[n]);

        long tiesB = 0;
        for (int i = 0, run = 1; i < n; i++)
        {
            if (i < n - 1 && sortedB[i + 1] == sortedB[i]) run++;
            else { tiesB += (long)run * (run - 1) / 2; run = 1; }
        }

        double denominator = Math.Sqrt((double)(pairs - tiesA) * (pairs - tiesB));
        if (denominator == 0) return double.NaN;
        // concordant + discordant = pairs − tiesA − tiesB + tiesBoth (pairs tied in neither).
        double concordantMinusDiscordant = pairs - tiesA - tiesB + tiesBoth - 2.0 * discordant;
        return concordantMinusDiscordant / denominator;
    }

    /// <summary>Sorts <paramref name="values"/> ascending (bottom-up merge sort) and returns the number of pairs
    /// i &lt; j with values[i] &gt; values[j]; equal values are not inversions.</summary>
    private static long CountInversions(double[] values, double[] scratch)
    {
        long inversions = 0;
        int n = values.Length;
        double[] src = values, dst = scratch;
        for (int width = 1; width < n; width *= 2)
        {
            for (int lo = 0; lo < n; lo += 2 * width)
            {
                int mid = Math.Min(lo + width, n), hi = Math.Min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi)
                {
                    if (src[j] < src[i])
                    {
                        inversions += mid - i; // src[j] jumps every remaining left element
                        dst[k++] = src[j++];
                    }
                    else dst[k++] = src[i++];
                }
                while (i < mid) dst[k++] = src[i++];
                while (j < hi) dst[k++] = src[j++];
            }
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, values)) Array.Copy(src, values, n);
        return inversions;
    }
}
