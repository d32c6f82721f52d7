namespace AecOfa.Audio.Dsp;

/// <summary>Scratch buffers for one thread's STFT work.</summary>
public sealed class StftBuffers
{
    internal StftBuffers(int fftSize, int binCount)
    {
        Frame = new float[fftSize];
        Real = new float[binCount];
        Imag = new float[binCount];
    }

    internal float[] Frame { get; }

    internal float[] Real { get; }

    internal float[] Imag { get; }
}
