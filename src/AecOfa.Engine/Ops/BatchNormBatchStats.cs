namespace AecOfa.Engine.Ops;

/// <summary>
/// Per-channel statistics of one batch as seen by a training-mode batch norm: element count per channel
/// (N*H*W), mean and M2 (sum of squared deviations), all in float64.
/// </summary>
public sealed class BatchNormBatchStats
{
    public BatchNormBatchStats(long count, double[] mean, double[] m2)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(m2);
        if (count < 1) throw new ArgumentException($"BatchNormBatchStats: count must be >= 1, got {count}.", nameof(count));
        if (mean.Length != m2.Length) throw new ArgumentException($"BatchNormBatchStats: mean has {mean.Length} channels, m2 has {m2.Length}.", nameof(m2));
        Count = count;
        Mean = mean;
        M2 = m2;
    }

    public int Channels => Mean.Length;

    /// <summary>Elements per channel (batch * height * width).</summary>
    public long Count { get; }

    public double[] Mean { get; }

    /// <summary>Sum over the batch of squared deviations from <see cref="Mean"/>, per channel.</summary>
    public double[] M2 { get; }

    /// <summary>M2 / count: the variance used to normalize in training mode.</summary>
    public double BiasedVariance(int channel) => M2[channel] / Count;

    /// <summary>M2 / (count - 1): what PyTorch folds into the running variance.</summary>
    public double UnbiasedVariance(int channel) => Count > 1 ? M2[channel] / (Count - 1) : 0.0;

    /// <summary>
    /// PyTorch's running-statistics update: running = (1 - momentum) * running + momentum * batch, with the
    /// unbiased batch variance. The spans may be prefixes of larger buffers (elastic width), of length Channels.
    /// </summary>
    public void UpdateRunning(Span<float> runningMean, Span<float> runningVar, float momentum)
    {
        if (runningMean.Length != Channels || runningVar.Length != Channels)
            throw new ArgumentException($"BatchNormBatchStats.UpdateRunning: running mean/var have {runningMean.Length}/{runningVar.Length} channels, the batch statistics {Channels}.");
        UpdateRunning(Count, Mean, M2, runningMean, runningVar, momentum);
    }

    /// <summary>The same update from raw statistics (count, mean, M2), for callers that keep them in their own buffers.</summary>
    internal static void UpdateRunning(long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, Span<float> runningMean, Span<float> runningVar, float momentum)
    {
        if (!(momentum >= 0f && momentum <= 1f))
            throw new ArgumentException($"BatchNormBatchStats.UpdateRunning: momentum must be in [0, 1], got {momentum}.", nameof(momentum));
        for (int c = 0; c < mean.Length; c++)
        {
            double unbiased = count > 1 ? m2[c] / (count - 1) : 0.0;
            runningMean[c] = (float)((1 - momentum) * (double)runningMean[c] + momentum * mean[c]);
            runningVar[c] = (float)((1 - momentum) * (double)runningVar[c] + momentum * unbiased);
        }
    }
}
