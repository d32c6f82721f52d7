namespace AecOfa.Audio.Dsp;

/// <summary>Mel scale variants.</summary>
public enum MelScale
{
    /// <summary>HTK / O'Shaughnessy: mel = 2595 log10(1 + f / 700) (torchaudio default).</summary>
    Htk,

    /// <summary>Slaney's Auditory Toolbox: linear (3 mel per 200 Hz) below 1 kHz, logarithmic above (librosa default).</summary>
    Slaney,
}
