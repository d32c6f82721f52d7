using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// In-place complex FFT of power-of-two length over split real/imaginary arrays: iterative radix-2
/// decimation in time, the first two stages fused as multiplication-free radix-4 butterflies, wide stages with
/// <see cref="Vector{T}"/>, narrow ones scalar. Unnormalized forward transform, X[k] = sum_t x[t] exp(-2 pi i k t / n).
/// Tables are built once; transforms keep no state, so one instance can be shared between threads.
/// </summary>
public sealed class ComplexFft
{
    private readonly int[] _bitReverse;
    private readonly float[] _twiddleRe; // stage of half-size h: cos(2 pi j / 2h) at [h + j], j < h
    private readonly float[] _twiddleIm; // -sin(2 pi j / 2h) at [h + j]

    public ComplexFft(int size)
    {
        if (size < 1 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "complex FFT size must be a power of two");
        }

        Size = size;
        int bits = BitOperations.Log2((uint)size);
        _bitReverse = new int[size];
        for (int i = 0; i < size; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++)
            {
                r |= ((i >> b) & 1) << (bits - 1 - b);
            }

            _bitReverse[i] = r;
        }

        _twiddleRe = new float[size];
        _twiddleIm = new float[size];
        for (int h = 1; h < size; h <<= 1)
        {
            for (int j = 0; j < h; j++)
            {
                double a = Math.PI * j / h;
                _twiddleRe[h + j] = (float)Math.Cos(a);
                _twiddleIm[h + j] = (float)-Math.Sin(a);
            }
        }
    }

    public int Size { get; }

    /// <summary>Position of element i after the bit-reversal permutation.</summary>
    internal ReadOnlySpan<int> BitReverse => _bitReverse;

    /// <summary>Forward transform of <paramref name="real"/> + i <paramref name="imag"/> (Size each), in place.</summary>
    public void Forward(Span<float> real, Span<float> imag)
    {
        if (real.Length != Size || imag.Length != Size)
        {
            throw new ArgumentException($"complex FFT of size {Size} got {real.Length} real and {imag.Length} imaginary values");
        }

        for (int i = 0; i < Size; i++)
        {
            int j = _bitReverse[i];
            if (i < j)
            {
                (real[i], real[j]) = (real[j], real[i]);
                (imag[i], imag[j]) = (imag[j], imag[i]);
            }
        }

        Butterflies(real, imag);
    }

    /// <summary>In-place DIT butterflies over bit-reversed input of length m.</summary>
    internal void Butterflies(Span<float> real, Span<float> imag)
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

    /// <summary>Naive O(n^2) float64 complex DFT: the reference the fast transform is tested against.</summary>
    internal static void ReferenceDft(ReadOnlySpan<double> real, ReadOnlySpan<double> imag, Span<double> outReal, Span<double> outImag)
    {
        int n = real.Length;
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * ((long)k * t % n) / n;
                double c = Math.Cos(a), s = Math.Sin(a);
                sr += real[t] * c - imag[t] * s;
                si += real[t] * s + imag[t] * c;
            }

            outReal[k] = sr;
            outImag[k] = si;
        }
    }
}
