using System.Buffers;

namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>
/// Linear convolution with one fixed filter (a room impulse response) through real FFTs. The filter's spectrum is
/// computed once per FFT size and reused for every signal convolved with it (every event of a clip). Not thread-safe
/// (one instance per clip); results are bitwise reproducible.
/// </summary>
internal sealed class FftConvolver
{
    private readonly float[] _filter;
    private readonly Dictionary<(int Size, int FilterLength), (double[] Re, double[] Im)> _spectra = new();

    public FftConvolver(ReadOnlySpan<float> filter) => _filter = filter.ToArray();

    public int FilterLength => _filter.Length;

    /// <summary>
    /// Writes the first <paramref name="output"/>.Length samples of x * filter (full linear convolution, zero beyond its
    /// length x.Length + filter.Length - 1).
    /// </summary>
    public void Convolve(ReadOnlySpan<float> x, Span<float> output)
    {
        output.Clear();
        if (x.IsEmpty || _filter.Length == 0 || output.IsEmpty) return;
        // Outputs beyond output.Length are not needed, so inputs past it cannot contribute to what is kept.
        x = x[..Math.Min(x.Length, output.Length)];
        int filterLength = Math.Min(_filter.Length, output.Length);
        int full = x.Length + filterLength - 1;
        int n = 2;
        while (n < full) n <<= 1;
        (double[] hr, double[] hi) = Spectrum(n, filterLength);

        // Pooled scratch (these are large-object-heap sizes); every entry read is written first, so reuse cannot leak state.
        double[] bufferArray = ArrayPool<double>.Shared.Rent(n);
        double[] reArray = ArrayPool<double>.Shared.Rent(n / 2 + 1);
        double[] imArray = ArrayPool<double>.Shared.Rent(n / 2 + 1);
        try
        {
            Span<double> buffer = bufferArray.AsSpan(0, n), re = reArray.AsSpan(0, n / 2 + 1), im = imArray.AsSpan(0, n / 2 + 1);
            for (int i = 0; i < x.Length; i++) buffer[i] = x[i];
            buffer[x.Length..].Clear();
            Fft.RealForward(buffer, re, im);
            for (int k = 0; k < re.Length; k++)
            {
                double r = re[k] * hr[k] - im[k] * hi[k];
                im[k] = re[k] * hi[k] + im[k] * hr[k];
                re[k] = r;
            }
            Fft.RealInverse(re, im, buffer);
            int count = Math.Min(output.Length, full);
            for (int i = 0; i < count; i++) output[i] = (float)buffer[i];
        }
        finally
        {
            ArrayPool<double>.Shared.Return(bufferArray);
            ArrayPool<double>.Shared.Return(reArray);
            ArrayPool<double>.Shared.Return(imArray);
        }
    }

    // Keyed by size and the filter's kept length: a shorter output cuts the filter, which changes its spectrum.
    private (double[] Re, double[] Im) Spectrum(int n, int filterLength)
    {
        var key = (n, filterLength);
        if (_spectra.TryGetValue(key, out var spectrum)) return spectrum;
        var buffer = new double[n];
        for (int i = 0; i < filterLength; i++) buffer[i] = _filter[i];
        spectrum = (new double[n / 2 + 1], new double[n / 2 + 1]);
        Fft.RealForward(buffer, spectrum.Re, spectrum.Im);
        _spectra[key] = spectrum;
        return spectrum;
    }

    /// <summary>Naive O(N M) float64 reference for tests.</summary>
    public static void ConvolveReference(ReadOnlySpan<float> x, ReadOnlySpan<float> h, Span<float> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            double sum = 0;
            for (int j = Math.Max(0, i - x.Length + 1); j <= Math.Min(i, h.Length - 1); j++) sum += (double)h[j] * x[i - j];
            output[i] = (float)sum;
        }
    }
}
