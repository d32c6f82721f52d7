namespace AecOfa.Nas.Search;

/// <summary>How <see cref="RandomSearch"/> draws sub-networks.</summary>
public enum RandomSampler
{
    /// <summary><see cref="Space.ArchSampling.Sample"/>: each gene uniform (OFA; the same as evolution's initial population).</summary>
    PerGene,

    /// <summary><see cref="Space.ArchSampling.SampleUniformNetwork"/>: each distinct sub-network equally likely (favours deep ones).</summary>
    UniformNetwork,
}
