namespace AecOfa.Audio.Features;

/// <summary>How mel energies are compressed; the floor keeps silence finite.</summary>
public enum LogCompression
{
    /// <summary>ln(mel + floor) (EfficientAT-style log(mel + eps)).</summary>
    NaturalLogOffset,

    /// <summary>10 log10(max(mel, floor)) (librosa power_to_db with amin = floor, no top_db).</summary>
    DecibelsClamped,
}
