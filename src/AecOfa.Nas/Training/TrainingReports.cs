namespace AecOfa.Nas.Training;

/// <summary>The losses of one step, by task role in plan order, and their sum (what was back-propagated).</summary>
public sealed record StepReport(long Step, int Epoch, float LearningRate, IReadOnlyList<(string Role, float Loss)> Losses, float Total, int Examples);

/// <summary>Mean loss per role over one epoch's steps, the learning rate of its last step and its wall time.</summary>
public sealed record EpochSummary(int Epoch, IReadOnlyDictionary<string, double> MeanLoss, double MeanTotal, float LastLearningRate, double Seconds);

/// <summary>Where training ended: every epoch's summary (those before a resume included, read from the checkpoint),
/// the steps run by this call, and the epoch a resumed run started from (0 when fresh).</summary>
public sealed record TrainingResult(IReadOnlyList<EpochSummary> Epochs, IReadOnlyList<StepReport> Steps, int ResumedFromEpoch, long TotalSteps);

/// <summary>Optional synchronous callbacks of <see cref="Trainer.Run"/> (progress bars, logs).</summary>
public sealed class TrainingCallbacks
{
    /// <summary>Once, before training, when the run continues from a checkpoint: the epochs it already holds.</summary>
    public Action<int>? Resumed { get; init; }

    /// <summary>After every optimizer update.</summary>
    public Action<StepReport>? StepCompleted { get; init; }

    /// <summary>After every epoch, once its checkpoint is written.</summary>
    public Action<EpochSummary>? EpochCompleted { get; init; }
}
