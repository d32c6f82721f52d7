namespace AecOfa.Engine.Kernels;

/// <summary>
/// Shape of a 2-D convolution over NCHW data: x (Batch, InChannels, InH, InW), weight
/// (OutChannels, InChannels/Groups, KernelH, KernelW), y (Batch, OutChannels, OutH, OutW).
/// Depthwise is Groups == InChannels == OutChannels.
/// </summary>
public readonly record struct ConvGeometry(
    int Batch, int InChannels, int OutChannels, int InH, int InW,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, int Groups)
{
    public int OutH => (InH + 2 * PadH - KernelH) / StrideH + 1;
    public int OutW => (InW + 2 * PadW - KernelW) / StrideW + 1;
    public int InChannelsPerGroup => InChannels / Groups;
    public int OutChannelsPerGroup => OutChannels / Groups;
    public bool IsDepthwise => Groups == InChannels && Groups == OutChannels;

    /// <summary>Square kernel, same stride and padding on both axes.</summary>
    public static ConvGeometry Square(int batch, int inChannels, int outChannels, int inH, int inW, int kernel, int stride, int pad, int groups)
        => new(batch, inChannels, outChannels, inH, inW, kernel, kernel, stride, stride, pad, pad, groups);

    public void Validate()
    {
        if (Batch < 1 || InChannels < 1 || OutChannels < 1 || InH < 1 || InW < 1 || KernelH < 1 || KernelW < 1 || StrideH < 1 || StrideW < 1 || PadH < 0 || PadW < 0 || Groups < 1)
            throw new ArgumentException($"Invalid convolution geometry {this}.");
        if (InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"Convolution channels in={InChannels} out={OutChannels} must be divisible by groups={Groups}.");
        if (OutH < 1 || OutW < 1)
            throw new ArgumentException($"Convolution kernel {KernelH}x{KernelW} with padding {PadH}x{PadW} does not fit input {InH}x{InW}.");
    }

    public long Macs => (long)Batch * OutChannels * OutH * OutW * InChannelsPerGroup * KernelH * KernelW;
}
