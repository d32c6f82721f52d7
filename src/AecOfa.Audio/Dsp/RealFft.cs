using System.Buffers;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Forward FFT of a real signal of any length n >= 2, returning the n/2 + 1 non-redundant bins, unnormalized:
/// X[k] = sum_t x[t] exp(-2 pi i k t / n).
/// Even n: the n real samples are packed as n/2 complex values (even samples real, odd imaginary), transformed,
/// and split into the spectrum. The n/2-point transform is <see cref="ComplexFft"/> when n is a power of two
/// (allocation-free), otherwise Bluestein's chirp-z algorithm (e.g. torchaudio's default n_fft = 400), a circular
/// convolution done with power-of-two complex FFTs, several times slower, scratch from
/// <see cref="ArrayPool{T}.Shared"/>. Odd n: Bluestein on all n samples. Tables are built once; transforms keep no state, so one instance can be
/// shared between threads.
/// </summary>
public sealed class RealFft
{
    private readonly int _half;             // even n: m = n / 2 packed complex points
    private readonly ComplexFft? _fft;      // n a power of two: packed transform of size m
    private readonly BluesteinDft? _packed; // other even n: packed transform of size m
    private readonly BluesteinDft? _odd;    // odd n: direct transform of size n
    private readonly float[] _splitCos;     // even n: cos(2 pi k / n), k <= m / 2
    private readonly float[] _splitSin;

    public RealFft(int size)
    {
        if (size < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be at least 2");
        }

        Size = size;
        IsPowerOfTwo = (size & (size - 1)) == 0;
        _half = size / 2;
        if (size % 2 == 1)
        {
            _odd = new BluesteinDft(size);
            _splitCos = _splitSin = [];
            return;
        }

        if (IsPowerOfTwo)
        {
            _fft = new ComplexFft(_half);
        }
        else
        {
            _packed = new BluesteinDft(_half);
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

    /// <summary>True when the allocation-free radix-2 path is used; otherwise Bluestein.</summary>
    public bool IsPowerOfTwo { get; }

    /// <summary>Non-redundant output bins: Size / 2 + 1.</summary>
    public int BinCount => Size / 2 + 1;

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

        if (_odd is not null)
        {
            _odd.Forward(input, ReadOnlySpan<float>.Empty, real, imag, BinCount);
        }
        else
        {
            ForwardPacked(input, real, imag);
        }
    }

    private void ForwardPacked(ReadOnlySpan<float> input, Span<float> real, Span<float> imag)
    {
        int m = _half;
        if (_fft is not null)
        {
            ReadOnlySpan<int> reverse = _fft.BitReverse;
            for (int k = 0; k < m; k++)
            {
                int r = reverse[k];
                real[r] = input[2 * k];
                imag[r] = input[2 * k + 1];
            }

            _fft.Butterflies(real[..m], imag[..m]);
        }
        else
        {
            for (int k = 0; k < m; k++)
            {
                real[k] = input[2 * k];
                imag[k] = input[2 * k + 1];
            }

            _packed!.Forward(real[..m], imag[..m], real, imag, m);
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
