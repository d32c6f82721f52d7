namespace AecOfa.Nas.Training;

/// <summary>The optimizer of a training run.</summary>
public enum TrainingOptimizer
{
    /// <summary>SGD with Nesterov momentum and coupled weight decay (OFA's recipe).</summary>
    SgdNesterov,

    /// <summary>AdamW (decoupled weight decay): converges in far fewer steps, for short runs such as the demo.</summary>
    AdamW,
}

/// <summary>
/// Settings of a <see cref="Trainer"/> run. Defaults follow OFA's recipe (SGD Nesterov 0.9, weight decay 3e-5 not on
/// BN/bias, cosine learning rate with linear warm-up, gradient values clipped at 1.0 as in the sandwich rule).
/// </summary>
public sealed record TrainerOptions
{
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per step; an epoch has floor(examples / BatchSize) steps (the incomplete last batch is
    /// dropped, so BN never sees a batch of one), or one step of every example when there are fewer.</summary>
    public int BatchSize { get; init; } = 32;

    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.SgdNesterov;

    public float PeakLearningRate { get; init; } = 0.05f;

    /// <summary>Linear warm-up length in epochs (clamped below the total).</summary>
    public double WarmupEpochs { get; init; } = 1.0;

    public float MinLearningRate { get; init; }

    public float Momentum { get; init; } = 0.9f;

    public float WeightDecay { get; init; } = 3e-5f;

    /// <summary>
    /// Multi-label only: scale each loss by the number of classes: binary cross-entropy summed over classes and averaged over examples
    /// (true, the default) instead of averaged over both. Why: with plain SGD the step is proportional to the loss
    /// scale, and a mean over K classes shrinks every gradient K times (a multi-label loss is K binary problems, not one);
    /// summing over classes gives the per-example scale that OFA's learning rates assume for softmax cross-entropy.
    /// </summary>
    public bool SumOverClasses { get; init; } = true;

    /// <summary>Clamp every gradient element to ±this before the update; 0 disables clipping.</summary>
    public float GradientClipValue { get; init; } = 1.0f;

    /// <summary>Multi-label (sigmoid BCE) or single-label (softmax cross-entropy) losses.</summary>
    public TaskKind Task { get; init; } = TaskKind.MultiLabel;

    /// <summary>Label smoothing of the single-label cross-entropy (0 = none).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Temperature of the single-label KL distillation (Hinton); multi-label distillation is BCE against the
    /// teacher's sigmoid outputs and has none.</summary>
    public float DistillTemperature { get; init; } = 1f;

    /// <summary>Seeds the data order, sub-network sampling, dropout masks and augmentation (each derived from (seed, step)).</summary>
    public int Seed { get; init; }

    /// <summary>Checkpoint written atomically at the end of every epoch (and see <see cref="CheckpointEverySteps"/>,
    /// <see cref="CheckpointInterval"/>); null = none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Also write the checkpoint every this many steps inside an epoch; 0 = only the time rule and epoch ends.</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Also write the checkpoint after the first step that ends at least this long after the last one
    /// (default 10 minutes); null = no time rule. Where a checkpoint falls never changes the results.</summary>
    public TimeSpan? CheckpointInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Engine threads for the training steps: 0 = measured (<see cref="ThreadCountTuner"/>: all of
    /// <see cref="AecOfa.Engine.Kernels.WorkerPool.MaxThreads"/> or one, whichever steps faster on this host), n = exactly n.
    /// Results are the same at any thread count. Applies to the training thread only
    /// (<see cref="AecOfa.Engine.Kernels.WorkerPool.CallingThreadLimit"/>); it can lower, never raise, the pool's limit.
    /// With two or more threads on the host, a step of several sub-networks (sandwich, progressive shrinking) runs them
    /// concurrently, one per thread, each single-threaded; a step of one network splits its ops between the threads.</summary>
    public int Threads { get; init; }

    /// <summary>Prepare the next batch on a background thread while the current step runs (results unchanged).</summary>
    public bool PrefetchBatches { get; init; } = true;

    /// <summary>Whatever identifies the training data beyond its size (e.g. a hash of the manifest, feature settings,
    /// normalization and augmentation); part of the run identity that resume checks.</summary>
    public string DataIdentity { get; init; } = "";

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists (results identical to an uninterrupted run).</summary>
    public bool Resume { get; init; }

    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"TrainerOptions.{name} = {value} must be {expected}.");
        }
        Check(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Check(Threads >= 0 && Threads <= 256, nameof(Threads), Threads, "0 (measured) or a thread count in [1, 256]");
        Check(BatchSize >= 2, nameof(BatchSize), BatchSize, ">= 2 (BatchNorm needs two examples)");
        Check(PeakLearningRate > 0 && float.IsFinite(PeakLearningRate), nameof(PeakLearningRate), PeakLearningRate, "a positive number");
        Check(WarmupEpochs >= 0 && double.IsFinite(WarmupEpochs), nameof(WarmupEpochs), WarmupEpochs, ">= 0");
        Check(MinLearningRate >= 0 && MinLearningRate <= PeakLearningRate, nameof(MinLearningRate), MinLearningRate, "in [0, PeakLearningRate]");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "a known optimizer");
        Check(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, ">= 0");
        Check(GradientClipValue >= 0 && float.IsFinite(GradientClipValue), nameof(GradientClipValue), GradientClipValue, ">= 0");
        Check(Enum.IsDefined(Task), nameof(Task), Task, "a known task kind");
        Check(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        Check(DistillTemperature > 0 && float.IsFinite(DistillTemperature), nameof(DistillTemperature), DistillTemperature, "a positive number");
        Check(CheckpointEverySteps >= 0, nameof(CheckpointEverySteps), CheckpointEverySteps, ">= 0");
        Check(CheckpointInterval is null || CheckpointInterval > TimeSpan.Zero, nameof(CheckpointInterval), CheckpointInterval!, "positive");
        if (Resume && CheckpointPath is null)
            throw new ArgumentException("TrainerOptions.Resume needs a CheckpointPath to resume from.", nameof(Resume));
    }
}
