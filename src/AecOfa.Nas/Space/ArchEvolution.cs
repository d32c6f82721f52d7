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

    /// <summary>
    /// Makes <paramref name="config"/> fit a monotone budget by shrinking: while <paramref name="fits"/> says no, one
    /// gene chosen uniformly among those that can still shrink steps down to its next smaller choice (a stage's depth,
    /// an active block's kernel or expand ratio, the mel bins; the hop factor steps up). Ends at the smallest
    /// sub-network at the latest, which fits every satisfiable monotone budget. Why: under a tight budget almost no
    /// uniformly sampled sub-network fits (at 1.4x the smallest's MACs, under 1 in 10,000 on the demo space), so
    /// OFA's resample-until-it-fits never finishes; shrinking keeps the sample's randomness and lands near the
    /// budget's boundary, where the best candidates are.
    /// </summary>
    public static ArchConfig ShrinkToFit(ArchSpace space, ArchConfig config, Func<ArchConfig, bool> fits, Random rng)
    {
        ArgumentNullException.ThrowIfNull(fits);
        var depthChoices = space.DepthChoices.Order().ToArray();
        var kernelChoices = space.KernelChoices.Order().ToArray();
        var expandChoices = space.ExpandChoices.Order().ToArray();
        var melChoices = space.Input.MelBinSet.Order().ToArray();
        var hopChoices = space.Input.HopFactorSet.Order().ToArray();
        var options = new List<int>();
        while (!fits(config))
        {
            var depths = config.Depths.ToArray();
            var kernels = config.Kernels.ToArray();
            var expands = config.Expands.ToArray();
            // Candidate moves, encoded: 0..S-1 depth of stage s; then 2 per slot (kernel, expand); then mel; then hop.
            options.Clear();
            for (int st = 0; st < depths.Length; st++)
                if (Array.IndexOf(depthChoices, depths[st]) > 0) options.Add(st);
            for (int st = 0; st < depths.Length; st++)
                for (int b = 0; b < depths[st]; b++)
                {
                    int slot = st * space.MaxDepth + b;
                    if (Array.IndexOf(kernelChoices, kernels[slot]) > 0) options.Add(depths.Length + 2 * slot);
                    if (Array.IndexOf(expandChoices, expands[slot]) > 0) options.Add(depths.Length + 2 * slot + 1);
                }
            int melMove = depths.Length + 2 * kernels.Length, hopMove = melMove + 1;
            if (Array.IndexOf(melChoices, config.MelBins) > 0) options.Add(melMove);
            if (Array.IndexOf(hopChoices, config.HopFactor) < hopChoices.Length - 1) options.Add(hopMove);
            if (options.Count == 0)
                throw new InvalidOperationException($"ShrinkToFit: the smallest sub-network ({config}) does not fit the budget either.");
            int move = options[rng.Next(options.Count)];
            int mel = config.MelBins, hop = config.HopFactor;
            if (move < depths.Length) depths[move] = depthChoices[Array.IndexOf(depthChoices, depths[move]) - 1];
            else if (move == melMove) mel = melChoices[Array.IndexOf(melChoices, mel) - 1];
            else if (move == hopMove) hop = hopChoices[Array.IndexOf(hopChoices, hop) + 1];
            else
            {
                int slot = (move - depths.Length) / 2;
                if ((move - depths.Length) % 2 == 0) kernels[slot] = kernelChoices[Array.IndexOf(kernelChoices, kernels[slot]) - 1];
                else expands[slot] = expandChoices[Array.IndexOf(expandChoices, expands[slot]) - 1];
            }
            config = new ArchConfig(depths, kernels, expands, mel, hop);
        }
        return config;
    }

    // Chosen parent's gene, or the other's when the chosen one is absent (0); 0 when both are absent.
    private static int Inherit(int fromA, int fromB, Random rng)
    {
        bool takeA = rng.Next(2) == 0;
        int first = takeA ? fromA : fromB, second = takeA ? fromB : fromA;
        return first != 0 ? first : second;
    }
}
