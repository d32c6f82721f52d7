namespace AecOfa.Audio.Augmentation;

public enum MaskAxis
{
    Time,
    Frequency,
}
