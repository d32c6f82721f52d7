using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Forward FFT of a real signal whose length is a power of two (2 or more). The n real samples are packed as
/// n/2 complex values (even samples real, odd samples imaginary), transformed by an iterative radix-2
/// decimation-in-time complex FFT (first two stages fused as multiplication-free radix-4, wide stages with
/// <see cref="Vector{T}"/> over split real/imaginary arrays, scalar tail stages), and split into the n/2 + 1 non-redundant bins. Unnormalized:
/// X[k] = sum_t x[t] exp(-2 pi i k t / n). Tables are built once; the transform itself allocates nothing and
/// keeps no state, so one instance can be shared between threads.
/// </summary>
public sealed class RealFft
{
    private readonly int _half;          // m = n / 2 complex points
    private readonly int[] _bitReverse;  // over m
    private readonly float[] _twiddleRe; // stage of half-size h: cos(2 pi j / 2h) at [h + j], j < h
    private readonly float[] _twiddleIm; // -sin(2 pi j / 2h) at [h + j]
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

        _twiddleRe = new float[Math.Max(1, _half)];
        _twiddleIm = new float[_twiddleRe.Length];
        for (int h = 1; h < _half; h <<= 1)
        {
            for (int j = 0; j < h; j++)
            {
                double a = Math.PI * j / h;
                _twiddleRe[h + j] = (float)Math.Cos(a);
                _twiddleIm[h + j] = (float)-Math.Sin(a);
            }
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

        Butterflies(real[..m], imag[..m]);

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

    /// <summary>In-place DIT butterflies over bit-reversed input of length m.</summary>
    private void Butterflies(Span<float> real, Span<float> imag)
    {
        int m = real.Length;
        ref float re = ref MemoryMarshal.GetReference(real);
        ref float im = ref MemoryMarshal.GetReference(imag);
        int h = 1;
        if (m >= 4)
        {
            // Stages h = 1 and h = 2 fused: 4-point DFTs, twiddles 1 and -i only.
            for (int s = 0; s < m; s += 4)
            {
                float x0r = Unsafe.Add(ref re, s), x0i = Unsafe.Add(ref im, s);
                float x1r = Unsafe.Add(ref re, s + 1), x1i = Unsafe.Add(ref im, s + 1);
                float x2r = Unsafe.Add(ref re, s + 2), x2i = Unsafe.Add(ref im, s + 2);
                float x3r = Unsafe.Add(ref re, s + 3), x3i = Unsafe.Add(ref im, s + 3);
                float s0r = x0r + x1r, s0i = x0i + x1i, d0r = x0r - x1r, d0i = x0i - x1i;
                float s1r = x2r + x3r, s1i = x2i + x3i, d1r = x2r - x3r, d1i = x2i - x3i;
                Unsafe.Add(ref re, s) = s0r + s1r;
                Unsafe.Add(ref im, s) = s0i + s1i;
                Unsafe.Add(ref re, s + 2) = s0r - s1r;
                Unsafe.Add(ref im, s + 2) = s0i - s1i;
                Unsafe.Add(ref re, s + 1) = d0r + d1i; // d0 + (-i) d1
                Unsafe.Add(ref im, s + 1) = d0i - d1r;
                Unsafe.Add(ref re, s + 3) = d0r - d1i;
                Unsafe.Add(ref im, s + 3) = d0i + d1r;
            }

            h = 4;
        }

        ref float twr = ref MemoryMarshal.GetArrayDataReference(_twiddleRe);
        ref float twi = ref MemoryMarshal.GetArrayDataReference(_twiddleIm);
        int width = Vector<float>.Count;
        for (; h < m; h <<= 1)
        {
            int size = h << 1;
            if (h >= width)
            {
                for (int start = 0; start < m; start += size)
                {
                    for (int j = 0; j < h; j += width)
                    {
                        nuint a = (nuint)(start + j), b = a + (nuint)h;
                        var wr = Vector.LoadUnsafe(ref twr, (nuint)(h + j));
                        var wi = Vector.LoadUnsafe(ref twi, (nuint)(h + j));
                        var br = Vector.LoadUnsafe(ref re, b);
                        var bi = Vector.LoadUnsafe(ref im, b);
                        var ar = Vector.LoadUnsafe(ref re, a);
                        var ai = Vector.LoadUnsafe(ref im, a);
                        var tr = br * wr - bi * wi;
                        var ti = br * wi + bi * wr;
                        (ar + tr).StoreUnsafe(ref re, a);
                        (ai + ti).StoreUnsafe(ref im, a);
                        (ar - tr).StoreUnsafe(ref re, b);
                        (ai - ti).StoreUnsafe(ref im, b);
                    }
                }

                continue;
            }

            for (int start = 0; start < m; start += size)
            {
                for (int j = 0; j < h; j++)
                {
                    float wr = Unsafe.Add(ref twr, h + j), wi = Unsafe.Add(ref twi, h + j);
                    int a = start + j, b = a + h;
                    float br = Unsafe.Add(ref re, b), bi = Unsafe.Add(ref im, b);
                    float tr = br * wr - bi * wi, ti = br * wi + bi * wr;
                    float ar = Unsafe.Add(ref re, a), ai = Unsafe.Add(ref im, a);
                    Unsafe.Add(ref re, a) = ar + tr;
                    Unsafe.Add(ref im, a) = ai + ti;
                    Unsafe.Add(ref re, b) = ar - tr;
                    Unsafe.Add(ref im, b) = ai - ti;
                }
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
