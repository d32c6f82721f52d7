using System.Buffers;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Complex DFT of any length n by Bluestein's chirp-z algorithm: with w_t = exp(-i pi t^2 / n),
/// X[k] = w_k sum_t (x_t w_t) conj(w_{k-t}), a circular convolution done with power-of-two <see cref="ComplexFft"/>s
/// of size M >= 2n - 1. Scratch comes from <see cref="ArrayPool{T}.Shared"/>; tables are immutable, so one
/// instance can be shared between threads.
/// </summary>
internal sealed class BluesteinDft
{
    private readonly ComplexFft _fft;
    private readonly float[] _chirpRe;  // w_t
    private readonly float[] _chirpIm;
    private readonly float[] _kernelRe; // FFT of conj(w) laid out circularly, scaled by 1 / M
    private readonly float[] _kernelIm;

    public BluesteinDft(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
        int convolution = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, 2 * size - 1));
        _fft = new ComplexFft(convolution);
        _chirpRe = new float[size];
        _chirpIm = new float[size];
        _kernelRe = new float[convolution];
        _kernelIm = new float[convolution];
        float scale = 1f / convolution;
        for (int t = 0; t < size; t++)
        {
            // t^2 mod 2n keeps the angle exact for large t.
            double a = Math.PI * ((long)t * t % (2L * size)) / size;
            _chirpRe[t] = (float)Math.Cos(a);
            _chirpIm[t] = (float)-Math.Sin(a);
            _kernelRe[t] = (float)Math.Cos(a) * scale;
            _kernelIm[t] = (float)Math.Sin(a) * scale;
            if (t > 0)
            {
                _kernelRe[convolution - t] = _kernelRe[t];
                _kernelIm[convolution - t] = _kernelIm[t];
            }
        }

        _fft.Forward(_kernelRe, _kernelIm);
    }

    public int Size { get; }

    /// <summary>
    /// Writes the first <paramref name="count"/> bins of the DFT of <paramref name="real"/> + i <paramref name="imag"/>
    /// (an empty <paramref name="imag"/> means a real input). Outputs may alias the inputs.
    /// </summary>
    public void Forward(ReadOnlySpan<float> real, ReadOnlySpan<float> imag, Span<float> outReal, Span<float> outImag, int count)
    {
        int n = Size, size = _fft.Size;
        float[] bufRe = ArrayPool<float>.Shared.Rent(size);
        float[] bufIm = ArrayPool<float>.Shared.Rent(size);
        try
        {
            Span<float> ar = bufRe.AsSpan(0, size), ai = bufIm.AsSpan(0, size);
            for (int t = 0; t < n; t++)
            {
                float xr = real[t], xi = imag.IsEmpty ? 0f : imag[t];
                ar[t] = xr * _chirpRe[t] - xi * _chirpIm[t];
                ai[t] = xr * _chirpIm[t] + xi * _chirpRe[t];
            }

            ar[n..].Clear();
            ai[n..].Clear();
            _fft.Forward(ar, ai);
            // Pointwise product with the kernel spectrum, conjugated so that a forward FFT performs the inverse.
            for (int k = 0; k < size; k++)
            {
                float xr = ar[k], xi = ai[k], kr = _kernelRe[k], ki = _kernelIm[k];
                ar[k] = xr * kr - xi * ki;
                ai[k] = -(xr * ki + xi * kr);
            }

            _fft.Forward(ar, ai);
            for (int k = 0; k < count; k++)
            {
                float cr = ar[k], ci = -ai[k]; // undo the conjugation
                outReal[k] = cr * _chirpRe[k] - ci * _chirpIm[k];
                outImag[k] = cr * _chirpIm[k] + ci * _chirpRe[k];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bufRe);
            ArrayPool<float>.Shared.Return(bufIm);
        }
    }
}
