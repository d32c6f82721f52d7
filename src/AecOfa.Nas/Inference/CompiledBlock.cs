using AecOfa.Engine.Kernels;
using AecOfa.Engine.Kernels.Inference;

namespace AecOfa.Nas.Inference;

/// <summary>One MBConv block of an <see cref="InferencePlan"/>: packed, BN-folded weights and the block's shapes
/// (input map InHeight × InWidth, output map OutHeight × OutWidth).</summary>
internal sealed record CompiledBlock(
    int InChannels, int MiddleChannels, int OutChannels,
    int InHeight, int InWidth, int OutHeight, int OutWidth,
    FusedActivation Activation,
    PackedPointwiseWeights Expand,
    PackedTapWeights Depthwise, int Stride, int Padding,
    PackedPointwiseWeights? SeReduce, PackedPointwiseWeights? SeExpand,
    PackedPointwiseWeights Project,
    bool Residual);
