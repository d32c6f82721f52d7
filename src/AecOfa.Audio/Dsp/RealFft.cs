namespace AecOfa.Audio.Dsp;

/// <summary>
/// Forward FFT of a real signal whose length is a power of two (2 or more). The n real samples are packed as
/// n/2 complex values (even samples real, odd samples imaginary), transformed by an iterative radix-2
/// decimation-in-time complex FFT, and split into the n/2 + 1 non-redundant bins. Unnormalized:
/// X[k] = sum_t x[t] exp(-2 pi i k t / n). Tables are built once; the transform itself allocates nothing and
/// keeps no state, so one instance can be shared between threads.
/// </summary>
public sealed class RealFft
{
    private readonly int _half;          // m = n / 2 complex points
    private readonly int[] _bitReverse;  // over m
    private readonly float[] _cos;       // cos(2 pi j / m), j < m / 2
    private readonly float[] _sin;       // sin(2 pi j / m)
    private readonly float[] _splitCos;  // cos(2 pi k / n), k <= m / 2
    private readonly float[] _splitSin;

    public RealFft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two, at least 2");
        }

        Size = size;
        _half = size / 2;
        int bits = System.Numerics.BitOperations.Log2((uint)_half);
        _bitReverse = new int[_half];
        for (int i = 0; i < _half; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++)
            {
                r |= ((i >> b) & 1) << (bits - 1 - b);
            }

            _bitReverse[i] = r;
        }

        _cos = new float[Math.Max(1, _half / 2)];
        _sin = new float[_cos.Length];
        for (int j = 0; j < _cos.Length; j++)
        {
            double a = 2 * Math.PI * j / _half;
            _cos[j] = (float)Math.Cos(a);
            _sin[j] = (float)Math.Sin(a);
        }

        _splitCos = new float[_half / 2 + 1];
        _splitSin = new float[_splitCos.Length];
        for (int k = 0; k < _splitCos.Length; k++)
        {
            double a = 2 * Math.PI * k / size;
            _splitCos[k] = (float)Math.Cos(a);
            _splitSin[k] = (float)Math.Sin(a);
        }
    }

    public int Size { get; }

    /// <summary>Non-redundant output bins: Size / 2 + 1.</summary>
    public int BinCount => _half + 1;

    /// <summary>Transforms <paramref name="input"/> (Size samples) into BinCount real and imaginary parts.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> real, Span<float> imag)
    {
        if (input.Length != Size)
        {
            throw new ArgumentException($"input has {input.Length} samples, FFT size is {Size}", nameof(input));
        }

        if (real.Length < BinCount || imag.Length < BinCount)
        {
            throw new ArgumentException($"outputs need {BinCount} bins, got {real.Length} and {imag.Length}");
        }

        int m = _half;
        for (int k = 0; k < m; k++)
        {
            int r = _bitReverse[k];
            real[r] = input[2 * k];
            imag[r] = input[2 * k + 1];
        }

        // Radix-2 butterflies over the m packed complex points.
        for (int size = 2; size <= m; size <<= 1)
        {
            int halfSize = size >> 1;
            int step = m / size;
            for (int start = 0; start < m; start += size)
            {
                for (int j = 0; j < halfSize; j++)
                {
                    float wr = _cos[j * step], wi = -_sin[j * step];
                    int a = start + j, b = a + halfSize;
                    float br = real[b] * wr - imag[b] * wi;
                    float bi = real[b] * wi + imag[b] * wr;
                    real[b] = real[a] - br;
                    imag[b] = imag[a] - bi;
                    real[a] += br;
                    imag[a] += bi;
                }
            }
        }

        // Split Z (FFT of packed pairs) into X: X[k] = E[k] + W^k O[k], with E, O the spectra of even and odd samples.
        float z0r = real[0], z0i = imag[0];
        real[0] = z0r + z0i;
        imag[0] = 0;
        real[m] = z0r - z0i;
        imag[m] = 0;
        for (int k = 1, j = m - 1; k <= j; k++, j--)
        {
            float ar = real[k], ai = imag[k], cr = real[j], ci = imag[j];
            float er = 0.5f * (ar + cr), ei = 0.5f * (ai - ci);   // E[k] = (Z[k] + conj Z[m-k]) / 2
            float or = 0.5f * (ai + ci), oi = -0.5f * (ar - cr); // O[k] = (Z[k] - conj Z[m-k]) / 2i
            float c = _splitCos[k], s = _splitSin[k];
            float tr = c * or + s * oi, ti = c * oi - s * or;    // W^k O[k], W = exp(-2 pi i / n)
            real[k] = er + tr;
            imag[k] = ei + ti;
            if (k != j)
            {
                // X[m-k] = conj E[k] - exp(2 pi i k / n) conj O[k]
                real[j] = er - tr;
                imag[j] = -ei + ti;
            }
        }
    }

    /// <summary>Naive O(n^2) float64 DFT of a real signal: the reference the fast transform is tested against.</summary>
    internal static void ReferenceDft(ReadOnlySpan<double> input, Span<double> real, Span<double> imag)
    {
        int n = input.Length;
        for (int k = 0; k <= n / 2; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                // Reduce k*t mod n first so the angle stays exact for large products.
                double a = 2 * Math.PI * ((long)k * t % n) / n;
                sr += input[t] * Math.Cos(a);
                si -= input[t] * Math.Sin(a);
            }

            real[k] = sr;
            imag[k] = si;
        }
    }
}
