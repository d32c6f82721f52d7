namespace AecOfa.Nas.Space;

/// <summary>Fixed structure of one elastic stage. <see cref="Width"/> is the base width, before the space's
/// width multiplier (<see cref="ArchSpace.StageChannels"/> gives the built width).</summary>
/// <param name="Width">Output channels of every block of the stage (base, before the width multiplier).</param>
/// <param name="Stride">Stride of the stage's first block (1 or 2); the other blocks have stride 1.</param>
/// <param name="Activation">Activation of the expand and depthwise convolutions.</param>
/// <param name="UseSe">Whether each block has squeeze-excitation after the depthwise convolution.</param>
public sealed record StageSpec(int Width, int Stride, Activation Activation, bool UseSe);
