namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// Geometry of a device convolution over NCHW as a kernel argument (an unmanaged copy of <see cref="ConvGeometry"/>):
/// the depthwise kernels read Channels as the (shared) input and output channels, im2col as the input channels.
/// </summary>
internal struct ConvShape
{
    public int Batch, Channels, InH, InW, OutH, OutW, KernelH, KernelW, StrideH, StrideW, PadH, PadW;

    public static ConvShape Of(in ConvGeometry g) => new()
    {
        Batch = g.Batch, Channels = g.InChannels, InH = g.InH, InW = g.InW, OutH = g.OutH, OutW = g.OutW,
        KernelH = g.KernelH, KernelW = g.KernelW, StrideH = g.StrideH, StrideW = g.StrideW, PadH = g.PadH, PadW = g.PadW,
    };
}
