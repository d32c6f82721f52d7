namespace AecOfa.Audio.Augmentation;

/// <summary>A masked stripe: bins or frames [Start, Start + Width).</summary>
public readonly record struct SpectrogramMask(MaskAxis Axis, int Start, int Width);
