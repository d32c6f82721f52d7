namespace AecOfa.Audio.Dsp;

/// <summary>Analysis windows.</summary>
public static class Windows
{
    /// <summary>
    /// Periodic Hann of <paramref name="length"/> (w[i] = 0.5 - 0.5 cos(2 pi i / length), as scipy/torch with
    /// periodic=True), placed in the middle of <paramref name="fftSize"/> zeros, as librosa and torch.stft do
    /// when the window is shorter than n_fft.
    /// </summary>
    public static float[] PeriodicHann(int length, int fftSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (fftSize < length)
        {
            throw new ArgumentOutOfRangeException(nameof(fftSize), fftSize, $"FFT size must be at least the window length {length}");
        }

        var w = new float[fftSize];
        int offset = (fftSize - length) / 2;
        for (int i = 0; i < length; i++)
        {
            w[offset + i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / length));
        }

        return w;
    }
}
