namespace AecOfa.Cli.Demo;

/// <summary>The accuracy-per-cost front: points no other point beats with at most the cost and a strictly higher score
/// (or the same score at a strictly lower cost).</summary>
internal static class ParetoFront
{
    /// <summary>Indices of the front, by increasing cost.</summary>
    public static int[] Indices(IReadOnlyList<(double Cost, double Score)> points)
    {
        var order = Enumerable.Range(0, points.Count)
            .OrderBy(i => points[i].Cost).ThenByDescending(i => points[i].Score).ThenBy(i => i).ToArray();
        var front = new List<int>();
        double best = double.NegativeInfinity;
        foreach (int i in order)
        {
            if (points[i].Score > best)
            {
                front.Add(i);
                best = points[i].Score;
            }
        }
        return front.ToArray();
    }
}
