using System.Collections.Concurrent;

namespace AecOfa.Audio.Synthetic.Dsp;

/// <summary>
/// Float64 radix-2 FFTs: complex in place, and real-input forward/inverse through a half-size complex FFT. Fixed code
/// path and summation order, so results are bitwise reproducible on a machine whatever thread runs them.
/// </summary>
internal static class Fft
{
    // cos/sin(2 pi k / n) for k < n/2, per size. Filling is deterministic, so a race between threads stores equal tables.
    private static readonly ConcurrentDictionary<int, (double[] Cos, double[] Sin)> Twiddles = new();

    private static (double[] Cos, double[] Sin) TwiddlesFor(int n) => Twiddles.GetOrAdd(n, static size =>
    {
        var c = new double[size / 2];
        var s = new double[size / 2];
        for (int k = 0; k < size / 2; k++)
        {
            c[k] = Math.Cos(2 * Math.PI * k / size);
            s[k] = Math.Sin(2 * Math.PI * k / size);
        }
        return (c, s);
    });

    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    /// <summary>In-place forward DFT X_k = sum_m x_m e^{-2 pi i k m / n}, n a power of two.</summary>
    public static void Complex(Span<double> re, Span<double> im)
    {
        int n = re.Length;
        if (!IsPowerOfTwo(n) || im.Length != n) throw new ArgumentException($"FFT size {n} must be a power of two with equal re/im lengths.");
        if (n == 1) return;
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
        (double[] cos, double[] sin) = TwiddlesFor(n);
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1, stride = n / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0, t = 0; k < half; k++, t += stride)
                {
                    double wr = cos[t], wi = -sin[t];
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

    /// <summary>
    /// Spectrum X_0..X_{n/2} (n = <paramref name="x"/>.Length, a power of two &gt;= 2) of a real signal, via one complex
    /// FFT of size n/2 over z_m = x_{2m} + i x_{2m+1}. <paramref name="re"/>/<paramref name="im"/> have n/2 + 1 entries.
    /// </summary>
    public static void RealForward(ReadOnlySpan<double> x, Span<double> re, Span<double> im)
    {
        int n = x.Length, h = n / 2;
        if (!IsPowerOfTwo(n) || n < 2 || re.Length != h + 1 || im.Length != h + 1)
            throw new ArgumentException($"Real FFT of {n} samples needs a power of two >= 2 and {h + 1} output bins.");
        for (int m = 0; m < h; m++) { re[m] = x[2 * m]; im[m] = x[2 * m + 1]; }
        Complex(re[..h], im[..h]);
        re[h] = re[0];
        im[h] = im[0];
        (double[] cos, double[] sin) = TwiddlesFor(n);
        // E_k = (Z_k + conj Z_{h-k}) / 2, O_k = (Z_k - conj Z_{h-k}) / (2i), X_k = E_k + e^{-2 pi i k/n} O_k; pairs (k, h-k) in place.
        for (int k = 0; k <= h / 2; k++)
        {
            int j = h - k;
            double zkr = re[k], zki = im[k], zjr = re[j], zji = im[j];
            double er = 0.5 * (zkr + zjr), ei = 0.5 * (zki - zji);
            double or = 0.5 * (zki + zji), oi = -0.5 * (zkr - zjr);
            double wr = k < h ? cos[k] : -1, wi = k < h ? -sin[k] : 0;
            re[k] = er + wr * or - wi * oi;
            im[k] = ei + wr * oi + wi * or;
            if (j != k)
            {
                // E_j = conj E_k, O_j = conj O_k, w_j = e^{-2 pi i j / n} = -conj w_k.
                double ejr = er, eji = -ei, ojr = or, oji = -oi;
                double vr = -wr, vi = wi;
                re[j] = ejr + vr * ojr - vi * oji;
                im[j] = eji + vr * oji + vi * ojr;
            }
        }
    }

    /// <summary>Inverse of <see cref="RealForward"/>: n real samples from bins 0..n/2 (the inputs are overwritten).</summary>
    public static void RealInverse(Span<double> re, Span<double> im, Span<double> x)
    {
        int n = x.Length, h = n / 2;
        if (!IsPowerOfTwo(n) || n < 2 || re.Length != h + 1 || im.Length != h + 1)
            throw new ArgumentException($"Real inverse FFT to {n} samples needs a power of two >= 2 and {h + 1} input bins.");
        (double[] cos, double[] sin) = TwiddlesFor(n);
        // E_k = (X_k + conj X_{h-k}) / 2, O_k = (X_k - conj X_{h-k}) e^{+2 pi i k/n} / 2, Z_k = E_k + i O_k.
        for (int k = 0; k <= h / 2; k++)
        {
            int j = h - k;
            double xkr = re[k], xki = im[k], xjr = re[j], xji = im[j];
            (double zkr, double zki) = Combine(xkr, xki, xjr, xji, k < h ? cos[k] : -1, k < h ? sin[k] : 0);
            if (j != k && j < h)
            {
                (double zjr, double zji) = Combine(xjr, xji, xkr, xki, cos[j], sin[j]);
                re[j] = zjr;
                im[j] = zji;
            }
            re[k] = zkr;
            im[k] = zki;
        }
        // ifft(Z) = conj(fft(conj Z)) / h.
        Span<double> zr = re[..h], zi = im[..h];
        for (int k = 0; k < h; k++) zi[k] = -zi[k];
        Complex(zr, zi);
        double scale = 1.0 / h;
        for (int m = 0; m < h; m++)
        {
            x[2 * m] = zr[m] * scale;
            x[2 * m + 1] = -zi[m] * scale;
        }

        static (double Re, double Im) Combine(double ar, double ai, double br, double bi, double wr, double wi)
        {
            double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
            double dr = 0.5 * (ar - br), di = 0.5 * (ai + bi);
            double or = dr * wr - di * wi, oi = dr * wi + di * wr; // (X_k - conj X_j)/2 * e^{+2 pi i k/n}
            return (er - oi, ei + or);                            // E + i O
        }
    }
}
