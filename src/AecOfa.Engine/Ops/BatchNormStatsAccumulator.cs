namespace AecOfa.Engine.Ops;

/// <summary>
/// Exact per-channel mean and variance over many batches, for BN recalibration of a sub-network. Batches are
/// combined with Chan et al.'s parallel algorithm in float64 (counts, means, M2), so the result equals the
/// statistics of the concatenation of all batches, whatever their sizes. (OFA instead averages per-batch
/// variances, which is not the variance of the union when batch means differ.)
/// </summary>
public sealed class BatchNormStatsAccumulator
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    public BatchNormStatsAccumulator(int channels)
    {
        if (channels < 1) throw new ArgumentException($"BatchNormStatsAccumulator: channels must be >= 1, got {channels}.", nameof(channels));
        _mean = new double[channels];
        _m2 = new double[channels];
    }

    public int Channels => _mean.Length;

    /// <summary>Elements per channel seen so far.</summary>
    public long Count { get; private set; }

    public void Add(BatchNormBatchStats batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Channels != Channels)
            throw new ArgumentException($"BatchNormStatsAccumulator.Add: batch has {batch.Channels} channels, the accumulator {Channels}.", nameof(batch));
        long nA = Count, nB = batch.Count, n = nA + nB;
        for (int c = 0; c < Channels; c++)
        {
            double delta = batch.Mean[c] - _mean[c];
            _mean[c] += delta * nB / n;
            _m2[c] += batch.M2[c] + delta * delta * ((double)nA * nB / n);
        }
        Count = n;
    }

    public void Reset()
    {
        Array.Clear(_mean);
        Array.Clear(_m2);
        Count = 0;
    }

    public double Mean(int channel) { RequireData(); return _mean[channel]; }

    /// <summary>Population variance M2 / count of everything added (what normalization in training mode uses).</summary>
    public double Variance(int channel) { RequireData(); return _m2[channel] / Count; }

    /// <summary>M2 / (count - 1).</summary>
    public double UnbiasedVariance(int channel) { RequireData(); return Count > 1 ? _m2[channel] / (Count - 1) : 0.0; }

    /// <summary>
    /// Writes the mean and the population variance into running-statistics spans (OFA copies the mean and the
    /// biased variance into the BN buffers). The spans may be prefixes of larger buffers.
    /// </summary>
    public void CopyTo(Span<float> runningMean, Span<float> runningVar)
    {
        RequireData();
        if (runningMean.Length != Channels || runningVar.Length != Channels)
            throw new ArgumentException($"BatchNormStatsAccumulator.CopyTo: running mean/var have {runningMean.Length}/{runningVar.Length} channels, the accumulator {Channels}.");
        for (int c = 0; c < Channels; c++)
        {
            runningMean[c] = (float)_mean[c];
            runningVar[c] = (float)(_m2[c] / Count);
        }
    }

    private void RequireData()
    {
        if (Count == 0) throw new InvalidOperationException("BatchNormStatsAccumulator: no batch has been added.");
    }
}
