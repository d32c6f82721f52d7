namespace AecOfa.Nas.Search;

/// <summary>
/// The accuracy-per-cost front (maximize the score, minimize the cost): the points no other point dominates, where
/// p dominates q when p costs at most as much and scores at least as much, one of them strictly. Of identical
/// points (same cost and score) only the first, lowest index, is returned, so the front has no repeats.
/// </summary>
public static class ParetoFront
{
    /// <summary>Indices of the front, by increasing cost. O(n log n).</summary>
    public static int[] Indices(ReadOnlySpan<double> costs, ReadOnlySpan<double> scores)
    {
        if (costs.Length != scores.Length)
            throw new ArgumentException($"costs has {costs.Length} entries and scores {scores.Length}; expected one of each per point", nameof(scores));
        for (int i = 0; i < costs.Length; i++)
        {
            if (double.IsNaN(costs[i])) throw new ArgumentException($"costs[{i}] is NaN; expected a number", nameof(costs));
            if (double.IsNaN(scores[i])) throw new ArgumentException($"scores[{i}] is NaN; expected a number", nameof(scores));
        }
        var c = costs.ToArray();
        var s = scores.ToArray();
        var order = new int[c.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // Cheapest first; at equal cost the best score first, then the lowest index: the first point of a cost
        // group is the only one of it that can be on the front.
        Array.Sort(order, (a, b) =>
        {
            int byCost = c[a].CompareTo(c[b]);
            if (byCost != 0) return byCost;
            int byScore = s[b].CompareTo(s[a]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        var front = new List<int>();
        double best = double.NegativeInfinity;
        foreach (int i in order)
        {
            // The cheapest point, then every point strictly better than all cheaper ones, is not dominated.
            if (front.Count == 0 || s[i] > best)
            {
                front.Add(i);
                best = s[i];
            }
        }
        return front.ToArray();
    }

    /// <summary>Indices of the front of (cost, score) points, by increasing cost.</summary>
    public static int[] Indices(IReadOnlyList<(double Cost, double Score)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var costs = new double[points.Count];
        var scores = new double[points.Count];
        for (int i = 0; i < costs.Length; i++) (costs[i], scores[i]) = points[i];
        return Indices(costs, scores);
    }
}
