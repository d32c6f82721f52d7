using System.Numerics.Tensors;
using AecOfa.Audio.Dsp;

namespace AecOfa.Audio.Features;

/// <summary>
/// Log-mel spectrogram: <see cref="Stft"/> power frames -> <see cref="MelFilterbank"/> -> log with a floor
/// (<see cref="LogMelOptions"/>). Output is Bins x Frames, bin-major. Immutable and thread-safe; per-frame work
/// allocates nothing (each Extract call allocates one small workspace, or pass your own).
/// </summary>
public sealed class LogMelExtractor : IFeatureExtractor
{
    public LogMelExtractor(LogMelOptions? options = null)
    {
        Options = options ?? new LogMelOptions();
        Options.Validate();
        Stft = new Stft(Options.FftSize, Options.WindowLength, Options.HopLength, Options.Padding);
        Filterbank = new MelFilterbank(Options.SampleRate, Options.FftSize, Options.MelBins, Options.FMin, Options.FMax,
            Options.MelScale, Options.MelNormalization);
        ConfigKey = Options.ConfigKey;
    }

    public LogMelOptions Options { get; }

    public Stft Stft { get; }

    public MelFilterbank Filterbank { get; }

    public int SampleRate => Options.SampleRate;

    public int Bins => Options.MelBins;

    public string ConfigKey { get; }

    public int FrameCount(int sampleCount) => Stft.FrameCount(sampleCount);

    public LogMelWorkspace CreateWorkspace() => new(Stft, Bins);

    public void Extract(ReadOnlySpan<float> samples, Span<float> destination) =>
        Extract(samples, destination, CreateWorkspace());

    /// <summary>As <see cref="Extract(ReadOnlySpan{float}, Span{float})"/> with caller-owned scratch (one per thread).</summary>
    public void Extract(ReadOnlySpan<float> samples, Span<float> destination, LogMelWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int frames = FrameCount(samples.Length);
        int bins = Bins;
        if (destination.Length < bins * frames)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} values, need {bins} x {frames} = {bins * frames}", nameof(destination));
        }

        if (workspace.Power.Length != Stft.BinCount || workspace.Mel.Length != bins)
        {
            throw new ArgumentException("workspace was created by an extractor with other options", nameof(workspace));
        }

        Span<float> power = workspace.Power;
        Span<float> mel = workspace.Mel;
        float floor = (float)Options.LogFloor;
        bool natural = Options.Log == LogCompression.NaturalLogOffset;
        for (int t = 0; t < frames; t++)
        {
            Stft.PowerFrame(samples, t, power, workspace.Stft);
            Filterbank.Apply(power, mel);
            if (natural)
            {
                TensorPrimitives.Add(mel, floor, mel);
                TensorPrimitives.Log(mel, mel);
            }
            else
            {
                TensorPrimitives.Max(mel, floor, mel);
                TensorPrimitives.Log10(mel, mel);
                TensorPrimitives.Multiply(mel, 10f, mel);
            }

            for (int b = 0; b < bins; b++)
            {
                destination[b * frames + t] = mel[b];
            }
        }
    }

    /// <summary>
    /// Naive float64 reference of the whole pipeline: direct DFT of each windowed frame, dense filterbank, log.
    /// </summary>
    internal double[] ExtractReference(ReadOnlySpan<float> samples)
    {
        int frames = FrameCount(samples.Length);
        var result = new double[Bins * frames];
        var frame = new float[Stft.FftSize];
        var re = new double[Stft.BinCount];
        var im = new double[Stft.BinCount];
        for (int t = 0; t < frames; t++)
        {
            Stft.WindowedFrame(samples, t, frame);
            RealFft.ReferenceDft(frame.Select(v => (double)v).ToArray(), re, im);
            var powerD = new double[Stft.BinCount];
            for (int k = 0; k < powerD.Length; k++)
            {
                powerD[k] = re[k] * re[k] + im[k] * im[k];
            }

            double[] melD = Filterbank.ApplyReference(powerD);

            for (int b = 0; b < Bins; b++)
            {
                result[b * frames + t] = Options.Log == LogCompression.NaturalLogOffset
                    ? Math.Log(melD[b] + Options.LogFloor)
                    : 10 * Math.Log10(Math.Max(melD[b], Options.LogFloor));
            }
        }

        return result;
    }
}
