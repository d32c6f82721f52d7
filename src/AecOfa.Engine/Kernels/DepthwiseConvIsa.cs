using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Instruction set of the depthwise convolution inner loops. <see cref="Auto"/> picks the widest FMA the CPU
/// accelerates; the explicit values let tests run every path on one machine (a path the CPU does not accelerate
/// still computes the same result, only slowly).
/// </summary>
internal enum DepthwiseConvIsa
{
    Auto,
    Vector512,
    Vector256,
    Scalar,
}

internal static class DepthwiseConvIsaExtensions
{
    /// <summary>The path Auto resolves to on this machine.</summary>
    internal static readonly DepthwiseConvIsa Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? DepthwiseConvIsa.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? DepthwiseConvIsa.Vector256
        : DepthwiseConvIsa.Scalar;

    internal static DepthwiseConvIsa Resolve(this DepthwiseConvIsa isa) => isa == DepthwiseConvIsa.Auto ? Best : isa;
}
