using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AecOfa.Engine;
using AecOfa.Engine.IO;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Training;

/// <summary>
/// The one training loop (DESIGN.md): it owns the data order, the optimizer (SGD Nesterov, weight decay not on BN or
/// biases), the cosine schedule with warm-up, gradient clipping, the loss guard, logging, checkpoints and resume; the
/// <see cref="ITrainingStrategy"/> only says which sub-networks a step trains and on what targets.
///
/// One step: zero the gradients; run the strategy's tasks in order on the same batch, each forward followed by its
/// backward so gradients ACCUMULATE in the shared weights (the teacher's detached sigmoid outputs become the soft
/// targets of the later tasks); clip gradient values; set the learning rate of the step; one optimizer update.
///
/// Determinism and resume: every random choice is a pure function of (seed, epoch or step) — the epoch's shuffle, the
/// step's sub-network sampling, dropout masks and augmentation — and the checkpoint written atomically at the end of
/// every epoch holds the weights, BN statistics, optimizer state, step and loss history. Resuming from it therefore
/// reproduces an uninterrupted run bit for bit.
/// </summary>
public sealed class Trainer
{
    private readonly TensorArena _arena = new();

    private const string MetaPrefix = "train.";

    private readonly OfaSupernet _supernet;
    private readonly ITrainingStrategy _strategy;

    public Trainer(OfaSupernet supernet, ITrainingStrategy strategy, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _supernet = supernet;
        _strategy = strategy;
        Options = options;
        Optimizer = options.Optimizer == TrainingOptimizer.AdamW
            ? new AdamW(supernet.NamedParameters(), options.PeakLearningRate, weightDecay: options.WeightDecay, excludeNoWeightDecayParameters: true)
            : new Sgd(supernet.NamedParameters(), options.PeakLearningRate, options.Momentum,
                nesterov: options.Momentum > 0f, weightDecay: options.WeightDecay, excludeNoWeightDecayParameters: true);
    }

    public TrainerOptions Options { get; }

    public Optimizer Optimizer { get; }

    /// <summary>Steps per epoch for <paramref name="examples"/> training examples (see <see cref="TrainerOptions.BatchSize"/>).</summary>
    public int StepsPerEpoch(int examples) => examples < 2
        ? throw new ArgumentException($"Training needs at least 2 examples (BatchNorm), got {examples}.", nameof(examples))
        : Math.Max(1, examples / Options.BatchSize);

    /// <summary>Examples per step for <paramref name="examples"/> training examples.</summary>
    public int EffectiveBatchSize(int examples) => Math.Min(Options.BatchSize, examples);

    /// <summary>The learning-rate schedule of a run over <paramref name="examples"/> training examples.</summary>
    public CosineSchedule Schedule(int examples)
    {
        long steps = (long)StepsPerEpoch(examples) * Options.Epochs;
        long warmup = Math.Min((long)Math.Round(Options.WarmupEpochs * StepsPerEpoch(examples)), steps - 1);
        return new CosineSchedule(Options.PeakLearningRate, steps, warmup, Options.MinLearningRate);
    }

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs (or what is left of them after a resume).
    /// Cancellation is checked before every step; the last completed epoch's checkpoint stays valid.</summary>
    public TrainingResult Run(ITrainingData data, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int examples = data.Count;
        int stepsPerEpoch = StepsPerEpoch(examples);
        int batch = EffectiveBatchSize(examples);
        var schedule = Schedule(examples);
        var history = new List<EpochSummary>();
        int startEpoch = 0;
        if (Options.Resume && File.Exists(Options.CheckpointPath))
        {
            startEpoch = LoadCheckpoint(Options.CheckpointPath!, examples, schedule.TotalSteps, history);
            callbacks?.Resumed?.Invoke(startEpoch);
        }

        var steps = new List<StepReport>();
        var positions = new int[examples];
        _supernet.Train();
        for (int epoch = startEpoch; epoch < Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            Shuffle(positions, epoch);
            var sums = new double[_strategy.Roles.Count];
            double totalSum = 0;
            float lastLr = 0;
            for (int i = 0; i < stepsPerEpoch; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long step = (long)epoch * stepsPerEpoch + i;
                var (features, targets) = data.Batch(positions.AsSpan(i * batch, batch), StreamSeeds.Create(Options.Seed, StreamSeeds.Augmentation, step));
                var report = TrainStep(features, targets, step, epoch, schedule);
                for (int r = 0; r < sums.Length && r < report.Losses.Count; r++) sums[r] += report.Losses[r].Loss;
                totalSum += report.Total;
                lastLr = report.LearningRate;
                steps.Add(report);
                callbacks?.StepCompleted?.Invoke(report);
            }
            var mean = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int r = 0; r < sums.Length; r++) mean[_strategy.Roles[r]] = sums[r] / stepsPerEpoch;
            var summary = new EpochSummary(epoch + 1, mean, totalSum / stepsPerEpoch, lastLr, clock.Elapsed.TotalSeconds);
            history.Add(summary);
            if (Options.CheckpointPath is { } path) SaveCheckpoint(path, epoch + 1, (long)(epoch + 1) * stepsPerEpoch, examples, schedule.TotalSteps, history);
            callbacks?.EpochCompleted?.Invoke(summary);
        }
        return new TrainingResult(history, steps, startEpoch, schedule.TotalSteps);
    }

    /// <summary>One full step on one batch: accumulate the gradients of every task, clip, one update at the
    /// schedule's learning rate for <paramref name="step"/>.</summary>
    public StepReport TrainStep(Tensor features, Tensor targets, long step, int epoch, ILearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        float lr = schedule.LearningRate(step);
        IReadOnlyList<(string Role, float Loss)> losses;
        // The whole step (forwards, backwards, update) runs in one arena scope: activations and gradients reuse
        // the previous step's buffers, so a warm step allocates almost nothing.
        using (_arena.Begin())
        {
            losses = AccumulateGradients(features, targets, step);
            if (Options.GradientClipValue > 0f) GradientClipping.ClipByValue(_supernet.Parameters(), Options.GradientClipValue);
            Optimizer.LearningRate = lr;
            Optimizer.Step();
        }
        double total = 0;
        foreach (var (_, loss) in losses) total += loss;
        return new StepReport(step, epoch + 1, lr, losses, (float)total, features.Shape[0]);
    }

    /// <summary>
    /// Zeroes the gradients, then runs the strategy's plan for <paramref name="step"/> on one batch, each task's
    /// backward adding into the shared gradients; no update. Returns each task's loss. A non-finite loss throws
    /// <see cref="NonFiniteLossException"/> naming the role and step before anything reaches the weights.
    /// </summary>
    public IReadOnlyList<(string Role, float Loss)> AccumulateGradients(Tensor features, Tensor targets, long step)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        int classes = _supernet.Space.Classes;
        if (targets.Rank != 2 || targets.Shape[0] != features.Shape[0] || targets.Shape[1] != classes)
            throw new ArgumentException($"Trainer: targets ({string.Join(", ", targets.Shape)}) do not fit {features.Shape[0]} examples of {classes} classes.", nameof(targets));
        var plan = _strategy.Plan(_supernet.Space, StreamSeeds.Create(Options.Seed, StreamSeeds.Sampling, step));
        Optimizer.ZeroGrad();
        Tensor? teacher = null;
        var losses = new List<(string, float)>(plan.Count);
        if (!GradMode.IsEnabled) throw new InvalidOperationException("Trainer: called inside GradMode.NoGrad(); training needs gradients.");
        for (int t = 0; t < plan.Count; t++)
        {
            var task = plan[t];
            var dropout = task.UseDropout ? StreamSeeds.Create(Options.Seed, StreamSeeds.Dropout, step * 64 + t) : null;
            var logits = _supernet.Forward(features, task.Config, dropout);
            Tensor loss;
            if (task.Target == SubnetTarget.Labels)
            {
                loss = TensorOps.BinaryCrossEntropyWithLogits(logits, targets);
            }
            else
            {
                if (teacher is null)
                    throw new InvalidOperationException($"Strategy '{_strategy.Name}': task '{task.Role}' learns from the teacher, but no earlier task of the step is a teacher.");
                loss = TensorOps.DistillationBce(logits, teacher);
            }
            if (Options.SumOverClasses) loss = TensorOps.WeightedLossSum((loss, classes));
            float value = LossGuard.EnsureFinite(loss, $"{_strategy.Name}/{task.Role}", step);
            if (task.IsTeacher) teacher = TensorOps.Sigmoid(logits.Detach());
            loss.Backward();
            losses.Add((task.Role, value));
        }
        return losses;
    }

    private void Shuffle(int[] positions, int epoch)
    {
        for (int i = 0; i < positions.Length; i++) positions[i] = i;
        var rng = StreamSeeds.Create(Options.Seed, StreamSeeds.Shuffle, epoch);
        for (int i = positions.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (positions[i], positions[j]) = (positions[j], positions[i]);
        }
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    /// <summary>What must match for a checkpoint to continue this run (anything else would change the results).</summary>
    private Dictionary<string, string> RunIdentity(int examples, long totalSteps) => new(StringComparer.Ordinal)
    {
        [MetaPrefix + "strategy"] = _strategy.Name,
        [MetaPrefix + "seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture),
        [MetaPrefix + "batch_size"] = Options.BatchSize.ToString(CultureInfo.InvariantCulture),
        [MetaPrefix + "examples"] = examples.ToString(CultureInfo.InvariantCulture),
        [MetaPrefix + "total_steps"] = totalSteps.ToString(CultureInfo.InvariantCulture),
        [MetaPrefix + "optimizer"] = string.Create(CultureInfo.InvariantCulture,
            $"{Options.Optimizer};lr={Options.PeakLearningRate:R};min={Options.MinLearningRate:R};warmup={Options.WarmupEpochs:R};momentum={Options.Momentum:R};wd={Options.WeightDecay:R};clip={Options.GradientClipValue:R}"),
        [MetaPrefix + "space"] = _supernet.Space.ToJson(),
    };

    private void SaveCheckpoint(string path, int epochsDone, long step, int examples, long totalSteps, List<EpochSummary> history)
    {
        var meta = RunIdentity(examples, totalSteps);
        meta[MetaPrefix + "epoch"] = epochsDone.ToString(CultureInfo.InvariantCulture);
        meta[MetaPrefix + "history"] = JsonSerializer.Serialize(history.Select(h => new HistoryEntry(h.Epoch, new Dictionary<string, double>(h.MeanLoss, StringComparer.Ordinal), h.MeanTotal, h.LastLearningRate, h.Seconds)));
        Checkpoint.Save(path, _supernet, Optimizer, step, meta);
    }

    private int LoadCheckpoint(string path, int examples, long totalSteps, List<EpochSummary> history)
    {
        // Check the run's identity before touching the weights: Checkpoint.Load copies everything at once.
        var meta = SafetensorsFile.Read(path).Metadata;
        var problems = new List<string>();
        foreach (var (key, expected) in RunIdentity(examples, totalSteps))
        {
            if (!meta.TryGetValue(key, out var found)) problems.Add($"'{key}' is missing");
            else if (found != expected) problems.Add(key == MetaPrefix + "space" ? "the search space differs" : $"{key[MetaPrefix.Length..]} was '{found}', this run has '{expected}'");
        }
        if (problems.Count > 0)
            throw new CheckpointException(path, $"belongs to another training run and cannot be resumed ({string.Join("; ", problems)}). Use the same settings, or delete it to start over.");
        var info = Checkpoint.Load(path, _supernet, Optimizer);
        if (!info.Metadata.TryGetValue(MetaPrefix + "epoch", out var epochText) || !int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch < 0)
            throw new CheckpointException(path, $"metadata '{MetaPrefix}epoch' is missing or not a count of epochs.");
        if (info.Metadata.TryGetValue(MetaPrefix + "history", out var historyJson))
        {
            var entries = JsonSerializer.Deserialize<List<HistoryEntry>>(historyJson)
                ?? throw new CheckpointException(path, $"metadata '{MetaPrefix}history' is null.");
            history.AddRange(entries.Select(e => new EpochSummary(e.Epoch, e.MeanLoss, e.MeanTotal, e.LastLearningRate, e.Seconds)));
        }
        return Math.Min(epoch, Options.Epochs);
    }

    private sealed record HistoryEntry(int Epoch, Dictionary<string, double> MeanLoss, double MeanTotal, float LastLearningRate, double Seconds);
}
