namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// The weights and bias of a 1×1 convolution or linear layer, packed once for <see cref="PointwiseConvHwc"/>:
/// output channels in panels of <see cref="PanelWidth"/> (the last panel zero-padded), each panel stored as
/// [input channel][8 outputs], so the kernel's inner loop reads one contiguous vector per input channel and panel.
/// Immutable after construction; share it between calls and threads.
/// </summary>
public sealed class PackedPointwiseWeights
{
    /// <summary>Output channels per panel: one Vector256 of floats.</summary>
    public const int PanelWidth = 8;

    /// <summary>Packs <paramref name="weight"/> (row-major: out × in, as a 1×1 conv's (out, in, 1, 1) or a linear
    /// layer's (out, in)) and <paramref name="bias"/> (length out, or empty for none).</summary>
    public PackedPointwiseWeights(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outChannels, int inChannels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        if (weight.Length != outChannels * inChannels)
            throw new ArgumentException($"PackedPointwiseWeights: weight has {weight.Length} values, expected {outChannels} x {inChannels}.", nameof(weight));
        if (!bias.IsEmpty && bias.Length != outChannels)
            throw new ArgumentException($"PackedPointwiseWeights: bias has {bias.Length} values, expected {outChannels} (or none).", nameof(bias));
        OutChannels = outChannels;
        InChannels = inChannels;
        Panels = (outChannels + PanelWidth - 1) / PanelWidth;
        Data = new float[Panels * inChannels * PanelWidth];
        Bias = new float[Panels * PanelWidth];
        for (int o = 0; o < outChannels; o++)
        {
            int panel = o / PanelWidth, lane = o % PanelWidth;
            int baseIndex = panel * inChannels * PanelWidth + lane;
            for (int i = 0; i < inChannels; i++) Data[baseIndex + i * PanelWidth] = weight[o * inChannels + i];
            if (!bias.IsEmpty) Bias[o] = bias[o];
        }
    }

    /// <summary>Output channels (columns written by the kernel).</summary>
    public int OutChannels { get; }

    /// <summary>Input channels (the reduction length).</summary>
    public int InChannels { get; }

    /// <summary>Number of 8-wide output panels.</summary>
    public int Panels { get; }

    /// <summary>Packed weights: [panel][input channel][8].</summary>
    internal float[] Data { get; }

    /// <summary>Bias padded to whole panels (zeros beyond <see cref="OutChannels"/>).</summary>
    internal float[] Bias { get; }
}
