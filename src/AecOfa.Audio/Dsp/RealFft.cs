using System.Buffers;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Forward FFT of a real signal of any length n >= 2, returning the n/2 + 1 non-redundant bins, unnormalized:
/// X[k] = sum_t x[t] exp(-2 pi i k t / n).
/// Power-of-two n: the n real samples are packed as n/2 complex values (even samples real, odd imaginary),
/// transformed by <see cref="ComplexFft"/>, and split into the spectrum (allocation-free).
/// Other n (e.g. torchaudio's default 400): Bluestein's chirp-z algorithm, a circular convolution done with
/// power-of-two complex FFTs of size >= 2n - 1 (about 4x the work of the next power of two; its scratch comes from
/// <see cref="ArrayPool{T}.Shared"/>). Tables are built once; transforms keep no state, so one instance can be
/// shared between threads.
/// </summary>
public sealed class RealFft
{
    private readonly int _half;          // power of two: m = n / 2 packed complex points
    private readonly ComplexFft _fft;    // size m (power of two) or the Bluestein convolution size
    private readonly float[] _splitCos;  // cos(2 pi k / n), k <= m / 2
    private readonly float[] _splitSin;
    private readonly float[]? _chirpRe;  // Bluestein: w_t = exp(-i pi t^2 / n), t < n
    private readonly float[]? _chirpIm;
    private readonly float[]? _kernelRe; // Bluestein: FFT of conj(w) laid out circularly, scaled by 1 / M
    private readonly float[]? _kernelIm;

    public RealFft(int size)
    {
        if (size < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be at least 2");
        }

        Size = size;
        IsPowerOfTwo = (size & (size - 1)) == 0;
        if (IsPowerOfTwo)
        {
            _half = size / 2;
            _fft = new ComplexFft(_half);
            _splitCos = new float[_half / 2 + 1];
            _splitSin = new float[_splitCos.Length];
            for (int k = 0; k < _splitCos.Length; k++)
            {
                double a = 2 * Math.PI * k / size;
                _splitCos[k] = (float)Math.Cos(a);
                _splitSin[k] = (float)Math.Sin(a);
            }

            return;
        }

        _splitCos = _splitSin = [];
        int convolution = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * size - 1));
        _fft = new ComplexFft(convolution);
        _chirpRe = new float[size];
        _chirpIm = new float[size];
        var kernelRe = new float[convolution];
        var kernelIm = new float[convolution];
        for (int t = 0; t < size; t++)
        {
            // t^2 mod 2n keeps the angle exact for large t.
            double a = Math.PI * ((long)t * t % (2L * size)) / size;
            _chirpRe[t] = (float)Math.Cos(a);
            _chirpIm[t] = (float)-Math.Sin(a);
            float scale = 1f / convolution;
            kernelRe[t] = (float)Math.Cos(a) * scale;
            kernelIm[t] = (float)Math.Sin(a) * scale;
            if (t > 0)
            {
                kernelRe[convolution - t] = kernelRe[t];
                kernelIm[convolution - t] = kernelIm[t];
            }
        }

        _fft.Forward(kernelRe, kernelIm);
        _kernelRe = kernelRe;
        _kernelIm = kernelIm;
    }

    public int Size { get; }

    /// <summary>True when the fast packed path is used; otherwise Bluestein.</summary>
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

        if (IsPowerOfTwo)
        {
            ForwardPacked(input, real, imag);
        }
        else
        {
            ForwardBluestein(input, real, imag);
        }
    }

    private void ForwardPacked(ReadOnlySpan<float> input, Span<float> real, Span<float> imag)
    {
        int m = _half;
        ReadOnlySpan<int> reverse = _fft.BitReverse;
        for (int k = 0; k < m; k++)
        {
            int r = reverse[k];
            real[r] = input[2 * k];
            imag[r] = input[2 * k + 1];
        }

        _fft.Butterflies(real[..m], imag[..m]);

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

    private void ForwardBluestein(ReadOnlySpan<float> input, Span<float> real, Span<float> imag)
    {
        // X[k] = w_k sum_t (x_t w_t) conj(w_{k-t}), w_t = exp(-i pi t^2 / n): a convolution with conj(w).
        int n = Size, size = _fft.Size;
        float[] aRe = ArrayPool<float>.Shared.Rent(size);
        float[] aIm = ArrayPool<float>.Shared.Rent(size);
        try
        {
            Span<float> ar = aRe.AsSpan(0, size), ai = aIm.AsSpan(0, size);
            for (int t = 0; t < n; t++)
            {
                ar[t] = input[t] * _chirpRe![t];
                ai[t] = input[t] * _chirpIm![t];
            }

            ar[n..].Clear();
            ai[n..].Clear();
            _fft.Forward(ar, ai);
            // Pointwise product with the kernel spectrum, conjugated so a forward FFT performs the inverse.
            for (int k = 0; k < size; k++)
            {
                float xr = ar[k], xi = ai[k], kr = _kernelRe![k], ki = _kernelIm![k];
                ar[k] = xr * kr - xi * ki;
                ai[k] = -(xr * ki + xi * kr);
            }

            _fft.Forward(ar, ai);
            for (int k = 0; k < BinCount; k++)
            {
                float cr = ar[k], ci = -ai[k]; // undo the conjugation
                real[k] = cr * _chirpRe![k] - ci * _chirpIm![k];
                imag[k] = cr * _chirpIm[k] + ci * _chirpRe[k];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aRe);
            ArrayPool<float>.Shared.Return(aIm);
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
