namespace AecOfa.Engine.Optim;

/// <summary>
/// Linear warm-up then cosine decay (OFA's schedule), a pure function of the 0-based step:
/// step &lt; W: lr = start + (peak - start) * (step + 1) / W (so the last warm-up step reaches the peak);
/// W &lt;= step &lt; T: lr = min + (peak - min) * (1 + cos(pi * (step - W) / (T - W))) / 2;
/// step &gt;= T: lr = min.
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    public CosineSchedule(float peakLearningRate, long totalSteps, long warmupSteps = 0, float minLearningRate = 0f, float warmupStartLearningRate = 0f)
    {
        if (!(peakLearningRate >= 0f) || float.IsInfinity(peakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(peakLearningRate), $"peakLearningRate = {peakLearningRate} must be finite and >= 0.");
        if (!(minLearningRate >= 0f && minLearningRate <= peakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), $"minLearningRate = {minLearningRate} must be in [0, peakLearningRate = {peakLearningRate}].");
        if (!(warmupStartLearningRate >= 0f && warmupStartLearningRate <= peakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(warmupStartLearningRate), $"warmupStartLearningRate = {warmupStartLearningRate} must be in [0, peakLearningRate = {peakLearningRate}].");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"totalSteps = {totalSteps} must be >= 1.");
        if (warmupSteps < 0 || warmupSteps >= totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warmupSteps = {warmupSteps} must be in [0, totalSteps = {totalSteps}).");
        PeakLearningRate = peakLearningRate;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        MinLearningRate = minLearningRate;
        WarmupStartLearningRate = warmupStartLearningRate;
    }

    public float PeakLearningRate { get; }

    public long TotalSteps { get; }

    public long WarmupSteps { get; }

    public float MinLearningRate { get; }

    public float WarmupStartLearningRate { get; }

    public float LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
            return (float)(WarmupStartLearningRate + (PeakLearningRate - (double)WarmupStartLearningRate) * (step + 1) / WarmupSteps);
        if (step >= TotalSteps) return MinLearningRate;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return (float)(MinLearningRate + (PeakLearningRate - (double)MinLearningRate) * 0.5 * (1.0 + Math.Cos(Math.PI * progress)));
    }
}
