namespace AecOfa.Audio.Dsp;

/// <summary>Area normalization of the triangular filters.</summary>
public enum MelNormalization
{
    /// <summary>Triangles peak at 1.</summary>
    None,

    /// <summary>Each triangle scaled by 2 / (upper - lower edge in Hz) so all have equal area (librosa norm="slaney").</summary>
    Slaney,
}
