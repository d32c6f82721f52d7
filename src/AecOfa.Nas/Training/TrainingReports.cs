namespace AecOfa.Nas.Training;

/// <summary>The losses of one step, by task role in plan order, and their sum (what was back-propagated).</summary>
public sealed record StepReport(long Step, int Epoch, float LearningRate, IReadOnlyList<(string Role, float Loss)> Losses, float Total, int Examples)
{
    /// <summary>The phase the step belongs to ("main" for single-phase strategies).</summary>
    public string Phase { get; init; } = "main";
}

/// <summary>Mean loss per role over one epoch's steps, the learning rate of its last step, its wall time, its phase,
/// and the validation metrics the caller measured at its end (see <see cref="TrainingCallbacks.Validate"/>).</summary>
public sealed record EpochSummary(int Epoch, IReadOnlyDictionary<string, double> MeanLoss, double MeanTotal, float LastLearningRate, double Seconds)
{
    public string Phase { get; init; } = "main";

    /// <summary>Engine threads the epoch's training steps ended with: the thread-count tuner's choice or the fixed
    /// <see cref="TrainerOptions.Threads"/> (with two or more, a step of several sub-networks runs them concurrently);
    /// 0 when unknown (an epoch read from a checkpoint that predates this record).</summary>
    public int Threads { get; init; }

    public IReadOnlyDictionary<string, double> Validation { get; init; } = new Dictionary<string, double>();
}

/// <summary>Where training ended: every epoch's summary (those before a resume included, read from the checkpoint),
/// the steps run by this call, and where a resumed run started (0 when fresh).</summary>
public sealed record TrainingResult(IReadOnlyList<EpochSummary> Epochs, IReadOnlyList<StepReport> Steps, int ResumedFromEpoch, long TotalSteps)
{
    /// <summary>The global step the run resumed at (0 when fresh); may lie inside an epoch.</summary>
    public long ResumedFromStep { get; init; }
}

/// <summary>Optional synchronous callbacks of <see cref="Trainer.Run"/> (progress bars, logs, validation).</summary>
public sealed class TrainingCallbacks
{
    /// <summary>Once, before training, when the run continues from a checkpoint: the completed epochs it holds.</summary>
    public Action<int>? Resumed { get; init; }

    /// <summary>When a phase starts (after its channel sort and optimizer reset), not when a resume lands inside it.</summary>
    public Action<TrainingPhase>? PhaseStarted { get; init; }

    /// <summary>After every optimizer update.</summary>
    public Action<StepReport>? StepCompleted { get; init; }

    /// <summary>After each thread-count measurement of <see cref="TrainerOptions.Threads"/> = 0 (at the start and every
    /// few epochs).</summary>
    public Action<ThreadCountDecision>? ThreadsChosen { get; init; }

    /// <summary>
    /// At the end of every epoch, before its checkpoint: measures validation metrics that are stored with the epoch
    /// (so they survive a resume). The network's buffers (BN statistics) and train/eval mode are restored afterwards,
    /// so validation never changes training.
    /// </summary>
    public Func<EpochSummary, IReadOnlyDictionary<string, double>>? Validate { get; init; }

    /// <summary>After every epoch, once its checkpoint is written.</summary>
    public Action<EpochSummary>? EpochCompleted { get; init; }
}
