namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Per-channel k×k filters and bias packed once for <see cref="DepthwiseConvHwc"/> and
/// <see cref="SingleChannelConvHwc"/>: tap-major, [ky·k + kx][channel] (the channel row padded to a whole number of
/// 8-lane vectors with zeros), so each tap is contiguous across channels like the channels-last activations.
/// Immutable after construction.
/// </summary>
public sealed class PackedTapWeights
{
    /// <summary>Packs <paramref name="weight"/> in the convolution layout (channels, 1, k, k) and <paramref name="bias"/>
    /// (length channels, or empty for none).</summary>
    public PackedTapWeights(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int channels, int kernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        if (weight.Length != channels * kernel * kernel)
            throw new ArgumentException($"PackedTapWeights: weight has {weight.Length} values, expected {channels} x {kernel} x {kernel}.", nameof(weight));
        if (!bias.IsEmpty && bias.Length != channels)
            throw new ArgumentException($"PackedTapWeights: bias has {bias.Length} values, expected {channels} (or none).", nameof(bias));
        Channels = channels;
        Kernel = kernel;
        Stride = (channels + 7) / 8 * 8;
        Data = new float[kernel * kernel * Stride];
        Bias = new float[Stride];
        for (int c = 0; c < channels; c++)
        {
            for (int t = 0; t < kernel * kernel; t++) Data[t * Stride + c] = weight[c * kernel * kernel + t];
            if (!bias.IsEmpty) Bias[c] = bias[c];
        }
    }

    /// <summary>Channels (one filter each).</summary>
    public int Channels { get; }

    /// <summary>Filter size k (k×k taps).</summary>
    public int Kernel { get; }

    /// <summary>Floats per tap row: <see cref="Channels"/> rounded up to a multiple of 8.</summary>
    internal int Stride { get; }

    /// <summary>Packed taps: [tap][channel], <see cref="Stride"/> floats per tap.</summary>
    internal float[] Data { get; }

    /// <summary>Bias padded to <see cref="Stride"/>.</summary>
    internal float[] Bias { get; }
}
