namespace AecOfa.Audio.Dsp;

/// <summary>How STFT frames are placed on the signal.</summary>
public enum StftPadding
{
    /// <summary>
    /// Frame t is centred on sample t*hop; the signal is extended by n_fft/2 on each side by reflection without
    /// repeating the edge sample (librosa center=True, torch.stft pad_mode="reflect"). Repeated reflection covers
    /// signals shorter than n_fft/2. Frames: 1 + floor((N + 2 floor(n_fft/2) - n_fft) / hop), i.e. 1 + floor(N / hop)
    /// for even n_fft (0 for an empty signal).
    /// </summary>
    CenterReflect,

    /// <summary>As <see cref="CenterReflect"/> but the extension is zeros.</summary>
    CenterZero,

    /// <summary>Frame t starts at sample t*hop; no padding. Frames: 1 + floor((N - n_fft) / hop), 0 if N &lt; n_fft.</summary>
    None,
}
