using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Features;

/// <summary>Per-thread scratch for <see cref="LogMelExtractor"/>.</summary>
public sealed class LogMelWorkspace
{
    internal LogMelWorkspace(Stft stft, int bins)
    {
        Stft = stft.CreateBuffers();
        Power = new float[stft.BinCount];
        Mel = new float[bins];
    }

    internal StftBuffers Stft { get; }

    internal float[] Power { get; }

    internal float[] Mel { get; }
}
