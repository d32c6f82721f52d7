using System.Collections.Immutable;

namespace AecOfa.Nas.Space;

/// <summary>Random sub-networks of a space.</summary>
public static class ArchSampling
{
    /// <summary>
    /// OFA's sampling (sample_active_subnet): every gene independently uniform over its choice set — each stage's
    /// depth, each block's kernel and expand, each resolution gene. Small and large depths are equally likely, which
    /// is what supernet training wants; the result is NOT uniform over distinct networks (see
    /// <see cref="SampleUniformNetwork"/>). Genes are drawn for all slots so the random stream does not depend on depth.
    /// </summary>
    public static ArchConfig Sample(ArchSpace space, Random rng)
    {
        space.Validate();
        var depths = new int[space.StageCount];
        var kernels = new int[space.BlockSlots];
        var expands = new int[space.BlockSlots];
        for (int s = 0; s < depths.Length; s++) depths[s] = Pick(space.DepthChoices, rng);
        for (int i = 0; i < kernels.Length; i++)
        {
            kernels[i] = Pick(space.KernelChoices, rng);
            expands[i] = Pick(space.ExpandChoices, rng);
        }
        return new ArchConfig(depths, kernels, expands, Pick(space.Input.MelBinSet, rng), Pick(space.Input.HopFactorSet, rng));
    }

    /// <summary>
    /// Uniform over DISTINCT sub-networks (each of <see cref="ArchSpace.CountSubnets"/> equally likely): a stage's
    /// depth d is drawn with probability (|K|·|E|)^d / Σ_d' (|K|·|E|)^d', then its active genes uniformly. Stages and
    /// resolution genes are independent, so the product is uniform. Favours deep networks (useful for random search
    /// baselines and for measuring the space, not for training).
    /// </summary>
    public static ArchConfig SampleUniformNetwork(ArchSpace space, Random rng)
    {
        space.Validate();
        double perBlock = space.KernelChoices.Length * space.ExpandChoices.Length;
        var weights = space.DepthChoices.Select(d => Math.Pow(perBlock, d)).ToArray();
        double total = weights.Sum();
        var depths = new int[space.StageCount];
        var kernels = new int[space.BlockSlots];
        var expands = new int[space.BlockSlots];
        for (int s = 0; s < depths.Length; s++)
        {
            double u = rng.NextDouble() * total;
            int pick = weights.Length - 1;
            for (int i = 0; i < weights.Length; i++)
            {
                if (u < weights[i]) { pick = i; break; }
                u -= weights[i];
            }
            depths[s] = space.DepthChoices[pick];
            for (int b = 0; b < depths[s]; b++)
            {
                kernels[s * space.MaxDepth + b] = Pick(space.KernelChoices, rng);
                expands[s * space.MaxDepth + b] = Pick(space.ExpandChoices, rng);
            }
        }
        return new ArchConfig(depths, kernels, expands, Pick(space.Input.MelBinSet, rng), Pick(space.Input.HopFactorSet, rng));
    }

    internal static int Pick(ImmutableArray<int> choices, Random rng) => choices[rng.Next(choices.Length)];
}
