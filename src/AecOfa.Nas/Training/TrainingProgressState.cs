namespace AecOfa.Nas.Training;

/// <summary>
/// Where a run stands, exactly what a checkpoint must carry besides the weights and optimizer: the next global step,
/// every finished epoch's summary, and the running sums of the epoch in progress (so an epoch resumed in the middle
/// reports the same mean losses as an uninterrupted one).
/// </summary>
internal sealed class TrainingProgressState
{
    public long Step { get; set; }

    public List<EpochSummary> History { get; } = [];

    /// <summary>Per-role loss sums, in the order roles first appeared in the epoch.</summary>
    public List<(string Role, double Sum)> RoleSums { get; } = [];

    public double TotalSum { get; set; }

    public int StepsInEpoch { get; set; }

    public float LastLearningRate { get; set; }

    /// <summary>Wall seconds the epoch in progress had already taken before a resume.</summary>
    public double CarriedSeconds { get; set; }

    public void Accumulate(StepReport report)
    {
        foreach (var (role, loss) in report.Losses)
        {
            int i = RoleSums.FindIndex(r => r.Role == role);
            if (i < 0) RoleSums.Add((role, loss));
            else RoleSums[i] = (role, RoleSums[i].Sum + loss);
        }
        TotalSum += report.Total;
        StepsInEpoch++;
        LastLearningRate = report.LearningRate;
        Step = report.Step + 1;
    }

    public EpochSummary CloseEpoch(int epoch, TrainingPhase phase, double seconds, int threads)
    {
        int n = Math.Max(1, StepsInEpoch);
        var mean = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (role, sum) in RoleSums) mean[role] = sum / n;
        var summary = new EpochSummary(epoch, mean, TotalSum / n, LastLearningRate, seconds) { Phase = phase.Name, Threads = threads };
        History.Add(summary);
        RoleSums.Clear();
        TotalSum = 0;
        StepsInEpoch = 0;
        CarriedSeconds = 0;
        return summary;
    }

    public EpochSummary SetValidation(EpochSummary summary, IReadOnlyDictionary<string, double> validation)
    {
        var updated = summary with { Validation = new Dictionary<string, double>(validation, StringComparer.Ordinal) };
        History[^1] = updated;
        return updated;
    }
}
