namespace AecOfa.Audio.Augmentation;

public enum TimeShiftMode
{
    /// <summary>Circular: what leaves one end re-enters at the other.</summary>
    Roll,

    /// <summary>Linear: vacated samples or frames become the fill value.</summary>
    Fill,
}
