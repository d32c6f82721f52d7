using System.Numerics.Tensors;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Short-time power spectrum: frames of <see cref="FftSize"/> samples every <see cref="HopLength"/>, multiplied by a
/// periodic Hann window of <see cref="WindowLength"/> centred in the frame, real FFT, |X|^2 (unnormalized, as
/// librosa/torchaudio with power=2). Framing follows <see cref="Padding"/>. Immutable and thread-safe; the per-frame
/// work uses caller-owned buffers from <see cref="CreateBuffers"/> and allocates nothing.
/// </summary>
public sealed class Stft
{
    private readonly float[] _window;
    private readonly int _windowOffset;

    public Stft(int fftSize, int windowLength, int hopLength, StftPadding padding = StftPadding.CenterReflect)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hopLength);
        Fft = new RealFft(fftSize);
        _window = Windows.PeriodicHann(windowLength, fftSize);
        _windowOffset = (fftSize - windowLength) / 2;
        WindowLength = windowLength;
        HopLength = hopLength;
        Padding = padding;
    }

    public RealFft Fft { get; }

    public int FftSize => Fft.Size;

    public int BinCount => Fft.BinCount;

    public int WindowLength { get; }

    public int HopLength { get; }

    public StftPadding Padding { get; }

    /// <summary>The window as applied to a whole frame (zeros outside the centred Hann).</summary>
    public ReadOnlySpan<float> Window => _window;

    public int FrameCount(int sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        if (sampleCount == 0)
        {
            return 0;
        }

        return Padding == StftPadding.None
            ? sampleCount < FftSize ? 0 : 1 + (sampleCount - FftSize) / HopLength
            : 1 + (sampleCount + 2 * (FftSize / 2) - FftSize) / HopLength; // torch.stft: pad n_fft // 2 each side
    }

    public StftBuffers CreateBuffers() => new(FftSize, BinCount);

    /// <summary>Index of the first sample of frame <paramref name="frame"/> (negative when centred near the start).</summary>
    public long FrameStart(int frame) =>
        (long)frame * HopLength - (Padding == StftPadding.None ? 0 : FftSize / 2);

    /// <summary>Writes the windowed frame <paramref name="frame"/> of <paramref name="samples"/> into <paramref name="destination"/> (FftSize).</summary>
    public void WindowedFrame(ReadOnlySpan<float> samples, int frame, Span<float> destination)
    {
        long start = FrameStart(frame) + _windowOffset;
        Span<float> body = destination.Slice(_windowOffset, WindowLength);
        ReadOnlySpan<float> window = _window.AsSpan(_windowOffset, WindowLength);
        destination[.._windowOffset].Clear();
        destination[(_windowOffset + WindowLength)..].Clear();
        if (start >= 0 && start + WindowLength <= samples.Length)
        {
            TensorPrimitives.Multiply(samples.Slice((int)start, WindowLength), window, body);
            return;
        }

        for (int i = 0; i < WindowLength; i++)
        {
            body[i] = SampleAt(samples, start + i) * window[i];
        }
    }

    /// <summary>Power spectrum (BinCount values) of frame <paramref name="frame"/>.</summary>
    public void PowerFrame(ReadOnlySpan<float> samples, int frame, Span<float> power, StftBuffers buffers)
    {
        WindowedFrame(samples, frame, buffers.Frame);
        Fft.Forward(buffers.Frame, buffers.Real, buffers.Imag);
        ReadOnlySpan<float> re = buffers.Real.AsSpan(0, BinCount);
        ReadOnlySpan<float> im = buffers.Imag.AsSpan(0, BinCount);
        TensorPrimitives.Multiply(re, re, power);
        TensorPrimitives.FusedMultiplyAdd(im, im, power, power);
    }

    private float SampleAt(ReadOnlySpan<float> samples, long index)
    {
        int n = samples.Length;
        if ((ulong)index < (ulong)n)
        {
            return samples[(int)index];
        }

        if (Padding != StftPadding.CenterReflect || n == 1)
        {
            return Padding == StftPadding.CenterReflect ? samples[0] : 0f;
        }

        // Reflect about the end samples (period 2(n-1)), which also covers pads longer than the signal.
        long period = 2L * (n - 1);
        long r = index % period;
        if (r < 0)
        {
            r += period;
        }

        return samples[(int)(r < n ? r : period - r)];
    }
}
