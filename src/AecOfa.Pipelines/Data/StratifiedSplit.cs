namespace AecOfa.Pipelines.Data;

/// <summary>Deterministic stratified hold-out: the same items, fraction and seed always give the same split.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Moves round(fraction × n_c) items of every stratum c (at least one when the stratum has two or more) from
    /// <paramref name="items"/> to the hold-out, chosen by a seeded shuffle within the stratum. Both results keep the
    /// input order.
    /// </summary>
    public static (int[] Kept, int[] HeldOut) Carve(int[] items, Func<int, int> stratum, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(stratum);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1)");
        var held = new HashSet<int>();
        foreach (var group in items.GroupBy(stratum).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            int take = (int)Math.Round(fraction * members.Length, MidpointRounding.AwayFromZero);
            if (take == 0 && members.Length >= 2) take = 1;
            if (take >= members.Length) take = members.Length - 1;
            new Random(unchecked(seed * 1_000_003 + group.Key)).Shuffle(members); // not HashCode: randomized per process
            foreach (int m in members.Take(take)) held.Add(m);
        }
        return (items.Where(i => !held.Contains(i)).ToArray(), items.Where(held.Contains).ToArray());
    }
}
