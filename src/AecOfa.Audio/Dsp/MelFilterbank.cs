using System.Numerics.Tensors;

namespace AecOfa.Audio.Dsp;

/// <summary>
/// Triangular mel filters over the bins of a real FFT, built as librosa.filters.mel does: MelBins + 2 edges equally
/// spaced in mel between FMin and FMax, band b rising from edge b to edge b+1 and falling to edge b+2, evaluated at
/// FFT bin frequencies k * SampleRate / FftSize; optional Slaney area normalization. Stored sparsely (each band's
/// non-zero run of bins) so applying it costs about two multiply-adds per FFT bin. Immutable and thread-safe.
/// </summary>
public sealed class MelFilterbank
{
    private readonly double[] _edgesHz;
    private readonly int[] _firstBin;
    private readonly float[][] _weights;

    public MelFilterbank(
        int sampleRate, int fftSize, int melBins, double fMin, double fMax,
        MelScale scale = MelScale.Slaney, MelNormalization normalization = MelNormalization.Slaney)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(fftSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(melBins);
        if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2.0))
        {
            throw new ArgumentOutOfRangeException(nameof(fMax),
                $"need 0 <= fMin < fMax <= Nyquist ({sampleRate / 2.0} Hz), got fMin={fMin}, fMax={fMax}");
        }

        SampleRate = sampleRate;
        FftSize = fftSize;
        MelBins = melBins;
        FMin = fMin;
        FMax = fMax;
        Scale = scale;
        Normalization = normalization;
        BinCount = fftSize / 2 + 1;

        double melMin = Mel.HzToMel(fMin, scale), melMax = Mel.HzToMel(fMax, scale);
        _edgesHz = new double[melBins + 2];
        for (int i = 0; i < _edgesHz.Length; i++)
        {
            _edgesHz[i] = Mel.MelToHz(melMin + (melMax - melMin) * i / (melBins + 1), scale);
        }

        _firstBin = new int[melBins];
        _weights = new float[melBins][];
        var row = new double[BinCount];
        for (int b = 0; b < melBins; b++)
        {
            Triangle(b, row);
            int first = Array.FindIndex(row, w => w > 0);
            int last = Array.FindLastIndex(row, w => w > 0);
            if (first < 0)
            {
                EmptyBands++;
                _weights[b] = [];
                continue;
            }

            _firstBin[b] = first;
            _weights[b] = row[first..(last + 1)].Select(w => (float)w).ToArray();
        }
    }

    public int SampleRate { get; }

    public int FftSize { get; }

    public int MelBins { get; }

    public double FMin { get; }

    public double FMax { get; }

    public MelScale Scale { get; }

    public MelNormalization Normalization { get; }

    /// <summary>FFT bins the filters read: FftSize / 2 + 1.</summary>
    public int BinCount { get; }

    /// <summary>Bands that cover no FFT bin (too narrow for the FFT resolution); they always output 0.</summary>
    public int EmptyBands { get; }

    /// <summary>The MelBins + 2 band edges in Hz: band b spans edges b..b+2 and peaks at edge b+1.</summary>
    public ReadOnlySpan<double> BandEdgesHz => _edgesHz;

    /// <summary>Non-zero weights of band <paramref name="band"/>, starting at FFT bin <paramref name="firstBin"/>.</summary>
    public ReadOnlySpan<float> BandWeights(int band, out int firstBin)
    {
        firstBin = _firstBin[band];
        return _weights[band];
    }

    /// <summary>mel[b] = sum_k weight[b, k] * power[k].</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> mel)
    {
        if (power.Length < BinCount || mel.Length < MelBins)
        {
            throw new ArgumentException($"need {BinCount} power bins and {MelBins} mel outputs, got {power.Length} and {mel.Length}");
        }

        for (int b = 0; b < MelBins; b++)
        {
            float[] w = _weights[b];
            mel[b] = w.Length == 0 ? 0f : TensorPrimitives.Dot(w, power.Slice(_firstBin[b], w.Length));
        }
    }

    /// <summary>Dense MelBins x BinCount matrix (row-major), for inspection and export.</summary>
    public float[] ToDense()
    {
        var dense = new float[MelBins * BinCount];
        for (int b = 0; b < MelBins; b++)
        {
            _weights[b].CopyTo(dense.AsSpan(b * BinCount + _firstBin[b]));
        }

        return dense;
    }

    /// <summary>Naive float64 reference of <see cref="Apply"/>: every band against every bin.</summary>
    internal double[] ApplyReference(ReadOnlySpan<double> power)
    {
        var mel = new double[MelBins];
        var row = new double[BinCount];
        for (int b = 0; b < MelBins; b++)
        {
            Triangle(b, row);
            for (int k = 0; k < BinCount; k++)
            {
                mel[b] += row[k] * power[k];
            }
        }

        return mel;
    }

    private void Triangle(int band, Span<double> row)
    {
        double lower = _edgesHz[band], center = _edgesHz[band + 1], upper = _edgesHz[band + 2];
        double norm = Normalization == MelNormalization.Slaney ? 2 / (upper - lower) : 1;
        for (int k = 0; k < row.Length; k++)
        {
            double f = (double)k * SampleRate / FftSize;
            double rising = (f - lower) / (center - lower);
            double falling = (upper - f) / (upper - center);
            row[k] = Math.Max(0, Math.Min(rising, falling)) * norm;
        }
    }
}
