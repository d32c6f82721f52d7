namespace AecOfa.Nas.Space;

/// <summary>
/// Variation operators of the evolutionary search (OFA: mutation probability 0.1 per gene, uniform crossover).
/// Both return canonical, valid configs of the same space; neither guarantees a change (a resampled gene may draw
/// its old value, and crossing two equal parents returns the parent), so the search de-duplicates by equality.
/// </summary>
public static class ArchEvolution
{
    /// <summary>
    /// Each gene is resampled uniformly from its choice set with probability <paramref name="probability"/>:
    /// first every stage depth, then every ACTIVE block's kernel and expand, then the resolution genes. A block that
    /// becomes active because its stage got deeper has no genes yet (canonical 0) and gets uniform ones.
    /// </summary>
    public static ArchConfig Mutate(ArchSpace space, ArchConfig parent, double probability, Random rng)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "mutation probability must be in [0, 1]");
        parent.Validate(space);
        var depths = parent.Depths.ToArray();
        var kernels = parent.Kernels.ToArray();
        var expands = parent.Expands.ToArray();
        for (int s = 0; s < depths.Length; s++)
            if (rng.NextDouble() < probability) depths[s] = ArchSampling.Pick(space.DepthChoices, rng);
        for (int s = 0; s < depths.Length; s++)
            for (int b = 0; b < depths[s]; b++)
            {
                int i = s * space.MaxDepth + b;
                if (kernels[i] == 0 || rng.NextDouble() < probability) kernels[i] = ArchSampling.Pick(space.KernelChoices, rng);
                if (expands[i] == 0 || rng.NextDouble() < probability) expands[i] = ArchSampling.Pick(space.ExpandChoices, rng);
            }
        int mel = rng.NextDouble() < probability ? ArchSampling.Pick(space.Input.MelBinSet, rng) : parent.MelBins;
        int hop = rng.NextDouble() < probability ? ArchSampling.Pick(space.Input.HopFactorSet, rng) : parent.HopFactor;
        return new ArchConfig(depths, kernels, expands, mel, hop);
    }

    /// <summary>
    /// Uniform crossover: every gene (each depth, each active slot's kernel and expand, each resolution gene) comes
    /// from parent A or B with probability 1/2. If the chosen parent has no gene for an active slot (the slot is
    /// inactive there), the other parent's is used; if neither has one, it is sampled uniformly.
    /// </summary>
    public static ArchConfig Crossover(ArchSpace space, ArchConfig a, ArchConfig b, Random rng)
    {
        a.Validate(space);
        b.Validate(space);
        var depths = new int[space.StageCount];
        var kernels = new int[space.BlockSlots];
        var expands = new int[space.BlockSlots];
        for (int s = 0; s < depths.Length; s++)
        {
            depths[s] = rng.Next(2) == 0 ? a.Depth(s) : b.Depth(s);
            for (int blk = 0; blk < depths[s]; blk++)
            {
                int i = s * space.MaxDepth + blk;
                kernels[i] = Inherit(a.Kernels[i], b.Kernels[i], rng) is var k && k != 0 ? k : ArchSampling.Pick(space.KernelChoices, rng);
                expands[i] = Inherit(a.Expands[i], b.Expands[i], rng) is var e && e != 0 ? e : ArchSampling.Pick(space.ExpandChoices, rng);
            }
        }
        int mel = rng.Next(2) == 0 ? a.MelBins : b.MelBins;
        int hop = rng.Next(2) == 0 ? a.HopFactor : b.HopFactor;
        return new ArchConfig(depths, kernels, expands, mel, hop);
    }

    // Chosen parent's gene, or the other's when the chosen one is absent (0); 0 when both are absent.
    private static int Inherit(int fromA, int fromB, Random rng)
    {
        bool takeA = rng.Next(2) == 0;
        int first = takeA ? fromA : fromB, second = takeA ? fromB : fromA;
        return first != 0 ? first : second;
    }
}
