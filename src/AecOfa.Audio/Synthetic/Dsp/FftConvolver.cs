using System.Collections.Concurrent;

namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>
/// Linear convolution of two real signals through one radix-2 complex FFT (both signals packed as real and imaginary
/// parts) and one inverse. Float64 throughout; the code path and summation order are fixed, so results are bitwise
/// reproducible on a machine whatever thread runs them.
/// </summary>
internal static class FftConvolver
{
    // Twiddle tables per FFT size. Filling is deterministic, so a race between threads stores identical tables.
    private static readonly ConcurrentDictionary<int, (double[] Cos, double[] Sin)> Twiddles = new();

    /// <summary>
    /// Writes the first <paramref name="output"/>.Length samples of x * h (full linear convolution, zero beyond its
    /// length x.Length + h.Length - 1).
    /// </summary>
    public static void Convolve(ReadOnlySpan<float> x, ReadOnlySpan<float> h, Span<float> output)
    {
        output.Clear();
        if (x.IsEmpty || h.IsEmpty || output.IsEmpty) return;
        // Outputs beyond output.Length are not needed, so inputs past it cannot contribute to what we keep.
        x = x[..Math.Min(x.Length, output.Length)];
        h = h[..Math.Min(h.Length, output.Length)];
        int full = x.Length + h.Length - 1;
        int n = 1;
        while (n < full) n <<= 1;

        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < x.Length; i++) re[i] = x[i];
        for (int i = 0; i < h.Length; i++) im[i] = h[i];
        Transform(re, im);

        // With Z = FFT(x + i h): X_k = (Z_k + conj Z_{N-k}) / 2, H_k = (Z_k - conj Z_{N-k}) / (2i),
        // so X_k H_k = -i (A^2 - B^2) / 4 with A = Z_k, B = conj Z_{N-k}.
        var yr = new double[n];
        var yi = new double[n];
        for (int k = 0; k < n; k++)
        {
            int m = (n - k) & (n - 1);
            double ar = re[k], ai = im[k], br = re[m], bi = -im[m];
            double dr = ar * ar - ai * ai - (br * br - bi * bi);
            double di = 2 * ar * ai - 2 * br * bi;
            // -i (dr + i di) / 4 = (di - i dr) / 4; conjugated for the inverse-by-forward trick below.
            yr[k] = di * 0.25;
            yi[k] = dr * 0.25;
        }
        // ifft(Y) = conj(fft(conj Y)) / N; only the real part is needed.
        Transform(yr, yi);
        double scale = 1.0 / n;
        int count = Math.Min(output.Length, full);
        for (int i = 0; i < count; i++) output[i] = (float)(yr[i] * scale);
    }

    /// <summary>Naive O(N M) reference for tests.</summary>
    public static void ConvolveReference(ReadOnlySpan<float> x, ReadOnlySpan<float> h, Span<float> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            double sum = 0;
            for (int j = Math.Max(0, i - x.Length + 1); j <= Math.Min(i, h.Length - 1); j++) sum += (double)h[j] * x[i - j];
            output[i] = (float)sum;
        }
    }

    /// <summary>In-place forward DFT (e^{-2 pi i k n / N}), iterative radix-2, N a power of two.</summary>
    internal static void Transform(double[] re, double[] im)
    {
        int n = re.Length;
        if (n <= 1) return;
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        (double[] cos, double[] sin) = Twiddles.GetOrAdd(n, static size =>
        {
            var c = new double[size / 2];
            var s = new double[size / 2];
            for (int k = 0; k < size / 2; k++)
            {
                c[k] = Math.Cos(2 * Math.PI * k / size);
                s[k] = -Math.Sin(2 * Math.PI * k / size);
            }
            return (c, s);
        });
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            int stride = n / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = cos[k * stride], wi = sin[k * stride];
                    int a = start + k, b = a + half;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
