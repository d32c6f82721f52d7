using System.Diagnostics;
using System.Globalization;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Training;

/// <summary>
/// The one training loop (DESIGN.md) for every kind of run: the supernet under a strategy (full network, sandwich,
/// progressive shrinking) or one fixed network (<see cref="StaticMbv3Network"/>: a from-scratch or distilled baseline,
/// or a searched architecture retrained). It owns the data order, the optimizer (SGD Nesterov or AdamW, weight decay
/// not on BN or biases), the cosine schedule with warm-up of each phase, gradient clipping, the loss guard, the frozen
/// teacher, checkpoints and resume; the <see cref="ITrainingStrategy"/> only says which sub-networks a step trains and
/// on what targets.
///
/// One step: zero the gradients; run the strategy's tasks on the same batch, each forward followed by its backward,
/// so gradients ACCUMULATE in the shared weights (on the host with two or more threads the tasks run concurrently,
/// one per thread, and are summed in plan order: <see cref="StepTaskRunner"/>); clip gradient values; set the
/// learning rate of the step; one optimizer update.
///
/// Determinism and resume: every random choice is a pure function of (seed, epoch or step) — the epoch's shuffle, the
/// step's sub-network sampling, dropout masks and augmentation — and the checkpoint (written atomically at the end of
/// every epoch, every <see cref="TrainerOptions.CheckpointEverySteps"/> steps and every
/// <see cref="TrainerOptions.CheckpointInterval"/>) holds the weights, BN statistics, optimizer state, the step and the
/// partial sums of the current epoch. Resuming from it therefore reproduces an uninterrupted run bit for bit, from
/// any step, inside any phase. A checkpoint of another run (any setting that changes results differs) is refused
/// with the differing settings named (<see cref="TrainingRunIdentity"/>).
/// </summary>
public sealed class Trainer
{
    private readonly TensorArena _arena = new();
    private readonly IArchNetwork _network;
    private readonly ITrainingStrategy _strategy;
    private readonly FrozenTeacher? _teacher;
    private readonly StepTaskRunner _tasks;

    public Trainer(OfaSupernet supernet, ITrainingStrategy strategy, TrainerOptions options, FrozenTeacher? teacher = null)
        : this((IArchNetwork)supernet, strategy, options, teacher)
    {
    }

    /// <param name="network">The network to train (its parameters are the optimizer's).</param>
    /// <param name="strategy">What each step trains (which sub-networks, which losses).</param>
    /// <param name="options">Epochs, batch size, optimizer, schedule, checkpoints.</param>
    /// <param name="teacher">The frozen teacher, required exactly when the strategy learns from one.</param>
    public Trainer(IArchNetwork network, ITrainingStrategy strategy, TrainerOptions options, FrozenTeacher? teacher = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (strategy.NeedsFrozenTeacher && teacher is null)
            throw new ArgumentException($"Strategy {strategy.Describe()} learns from a frozen teacher; give the trainer one (e.g. the full network's run).", nameof(teacher));
        if (teacher is not null && ReferenceEquals(teacher.Network.Module, network.Module))
            throw new ArgumentException("The frozen teacher must be a separate network, not the one being trained.", nameof(teacher));
        if (teacher is not null && teacher.Network.Space.Classes != network.Space.Classes)
            throw new ArgumentException($"The teacher has {teacher.Network.Space.Classes} classes, the network {network.Space.Classes}.", nameof(teacher));
        _network = network;
        _strategy = strategy;
        _teacher = teacher;
        Options = options;
        _tasks = new StepTaskRunner(network, teacher, options);
        Phases = strategy.Phases(network.Space, options.Epochs);
        if (Phases.Count == 0) throw new ArgumentException($"Strategy {strategy.Describe()} has no phases.", nameof(strategy));
        Optimizer = options.Optimizer == TrainingOptimizer.AdamW
            ? new AdamW(network.Module.NamedParameters(), options.PeakLearningRate, weightDecay: options.WeightDecay, excludeNoWeightDecayParameters: true)
            : new Sgd(network.Module.NamedParameters(), options.PeakLearningRate, options.Momentum,
                nesterov: options.Momentum > 0f, weightDecay: options.WeightDecay, excludeNoWeightDecayParameters: true);
    }

    public TrainerOptions Options { get; }

    public Optimizer Optimizer { get; }

    /// <summary>The phases of this run (one for single-phase strategies).</summary>
    public IReadOnlyList<TrainingPhase> Phases { get; }

    /// <summary>Total epochs over all phases.</summary>
    public int TotalEpochs => Phases.Sum(p => p.Epochs);

    /// <summary>Steps per epoch for <paramref name="examples"/> training examples (see <see cref="TrainerOptions.BatchSize"/>).</summary>
    public int StepsPerEpoch(int examples) => examples < 2
        ? throw new ArgumentException($"Training needs at least 2 examples (BatchNorm), got {examples}.", nameof(examples))
        : Math.Max(1, examples / Options.BatchSize);

    /// <summary>Examples per step for <paramref name="examples"/> training examples.</summary>
    public int EffectiveBatchSize(int examples) => Math.Min(Options.BatchSize, examples);

    /// <summary>The learning-rate schedule of the first (or only) phase over <paramref name="examples"/> examples.</summary>
    public CosineSchedule Schedule(int examples) => Schedule(Phases[0], examples);

    /// <summary>The cosine schedule of <paramref name="phase"/>: its own steps, warm-up of min(WarmupEpochs, a quarter
    /// of the phase), peak = run peak × phase scale.</summary>
    public CosineSchedule Schedule(TrainingPhase phase, int examples)
    {
        ArgumentNullException.ThrowIfNull(phase);
        int perEpoch = StepsPerEpoch(examples);
        long steps = (long)perEpoch * phase.Epochs;
        double warmupEpochs = Phases.Count == 1 ? Options.WarmupEpochs : Math.Min(Options.WarmupEpochs, phase.Epochs / 4.0);
        long warmup = Math.Min((long)Math.Round(warmupEpochs * perEpoch), steps - 1);
        float peak = Options.PeakLearningRate * phase.LearningRateScale;
        return new CosineSchedule(peak, steps, warmup, Math.Min(Options.MinLearningRate, peak));
    }

    /// <summary>Trains every phase (or what is left after a resume). Cancellation is checked before every step; the
    /// last checkpoint written stays valid.</summary>
    public TrainingResult Run(ITrainingData data, TrainingCallbacks? callbacks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int examples = data.Count;
        int perEpoch = StepsPerEpoch(examples);
        int batch = EffectiveBatchSize(examples);
        long totalSteps = (long)perEpoch * TotalEpochs;
        var identity = new TrainingRunIdentity(this, _network, _strategy, _teacher, examples, totalSteps);
        var state = new TrainingProgressState();
        var checkpoints = Options.CheckpointPath is { } path ? new TrainingCheckpoints(path, _network.Module, Optimizer, identity) : null;
        long resumedAt = 0;
        if (Options.Resume && checkpoints is not null && checkpoints.Exists)
        {
            state = checkpoints.Load();
            resumedAt = state.Step;
            callbacks?.Resumed?.Invoke(state.History.Count);
        }

        int savedLimit = WorkerPool.CallingThreadLimit;
        try
        {
            return RunPhases(data, callbacks, cancellationToken, state, checkpoints, resumedAt, examples, perEpoch, batch, totalSteps);
        }
        finally
        {
            WorkerPool.CallingThreadLimit = savedLimit; // the run's thread count is its own, never the process's
        }
    }

    private TrainingResult RunPhases(ITrainingData data, TrainingCallbacks? callbacks, CancellationToken cancellationToken, TrainingProgressState state,
        TrainingCheckpoints? checkpoints, long resumedAt, int examples, int perEpoch, int batch, long totalSteps)
    {
        if (Options.Threads > 0) WorkerPool.CallingThreadLimit = Options.Threads;
        var tuner = Options.Threads == 0 && WorkerPool.MaxThreads > 1 ? new ThreadCountTuner(WorkerPool.MaxThreads) : null;
        using var prefetcher = new BatchPrefetcher(data, Options.PrefetchBatches);
        // Lanes left idle by a step compute the frozen teacher on the next batch; not while the tuner measures, where
        // a one-thread step would inherit that work from the concurrent step before it.
        _tasks.UpcomingFeatures = () => tuner is { Probing: true } ? null : prefetcher.UpcomingFeatures();
        try
        {
            return RunEpochs(callbacks, cancellationToken, state, checkpoints, resumedAt, examples, perEpoch, batch, totalSteps, tuner, prefetcher);
        }
        finally
        {
            _tasks.UpcomingFeatures = null; // the prefetcher is gone with this run
        }
    }

    private TrainingResult RunEpochs(TrainingCallbacks? callbacks, CancellationToken cancellationToken, TrainingProgressState state,
        TrainingCheckpoints? checkpoints, long resumedAt, int examples, int perEpoch, int batch, long totalSteps, ThreadCountTuner? tuner, BatchPrefetcher prefetcher)
    {
        var steps = new List<StepReport>();
        var positions = new int[examples];
        var sinceCheckpoint = Stopwatch.StartNew();
        int stepsSinceCheckpoint = 0;
        _network.Module.Train();
        long phaseStart = 0;
        int epochBase = 0;
        foreach (var phase in Phases)
        {
            long phaseSteps = (long)perEpoch * phase.Epochs;
            if (state.Step >= phaseStart + phaseSteps)
            {
                phaseStart += phaseSteps;
                epochBase += phase.Epochs;
                continue;
            }
            if (state.Step == phaseStart) StartPhase(phase, callbacks);
            var schedule = Schedule(phase, examples);
            for (int e = (int)((state.Step - phaseStart) / perEpoch); e < phase.Epochs; e++)
            {
                int epoch = epochBase + e;
                Shuffle(positions, epoch);
                var clock = Stopwatch.StartNew();
                for (int i = (int)((state.Step - phaseStart) % perEpoch); i < perEpoch; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long step = state.Step;
                    var (features, targets) = prefetcher.Take(positions, i * batch, batch, Augmentation(step),
                        i + 1 < perEpoch ? (positions, (i + 1) * batch, Augmentation(step + 1)) : null);
                    if (tuner is not null) WorkerPool.CallingThreadLimit = tuner.ThreadsForNextStep();
                    long stepStart = Stopwatch.GetTimestamp();
                    var report = TrainStep(phase, features, targets, step, epoch, schedule.LearningRate(step - phaseStart));
                    if (tuner?.Record(Stopwatch.GetElapsedTime(stepStart).TotalSeconds) is { } decision)
                    {
                        WorkerPool.CallingThreadLimit = decision.Threads;
                        callbacks?.ThreadsChosen?.Invoke(decision);
                    }
                    state.Accumulate(report);
                    steps.Add(report);
                    callbacks?.StepCompleted?.Invoke(report);
                    stepsSinceCheckpoint++;
                    bool last = i + 1 == perEpoch;
                    if (checkpoints is not null && !last &&
                        ((Options.CheckpointEverySteps > 0 && stepsSinceCheckpoint >= Options.CheckpointEverySteps)
                         || (Options.CheckpointInterval is { } interval && sinceCheckpoint.Elapsed >= interval)))
                    {
                        // The epoch's time so far travels with the checkpoint, so a resumed epoch reports all of it.
                        state.CarriedSeconds += clock.Elapsed.TotalSeconds;
                        clock.Restart();
                        checkpoints.Save(state);
                        sinceCheckpoint.Restart();
                        stepsSinceCheckpoint = 0;
                    }
                }
                var summary = state.CloseEpoch(epoch + 1, phase, clock.Elapsed.TotalSeconds + state.CarriedSeconds, WorkerPool.MaxThreads);
                // Then (the epoch's record keeps the count it ran at) the tuner may go back on a switch that ran
                // slower, or measure again from the next step (load changes).
                if (tuner?.EpochCompleted() is { } switchedBack)
                {
                    WorkerPool.CallingThreadLimit = switchedBack.Threads;
                    callbacks?.ThreadsChosen?.Invoke(switchedBack);
                }
                if (callbacks?.Validate is { } validate) summary = state.SetValidation(summary, ValidateWithoutSideEffects(validate, summary));
                if (checkpoints is not null)
                {
                    checkpoints.Save(state);
                    sinceCheckpoint.Restart();
                    stepsSinceCheckpoint = 0;
                }
                callbacks?.EpochCompleted?.Invoke(summary);
            }
            phaseStart += phaseSteps;
            epochBase += phase.Epochs;
        }
        int resumedEpochs = (int)Math.Min(resumedAt / perEpoch, TotalEpochs);
        return new TrainingResult(state.History, steps, resumedEpochs, totalSteps) { ResumedFromStep = resumedAt };
    }

    private Random Augmentation(long step) => StreamSeeds.Create(Options.Seed, StreamSeeds.Augmentation, step);

    /// <summary>What happens when a phase begins: a fresh optimizer state and/or a channel sort (with the optimizer
    /// state permuted alongside when it is kept).</summary>
    private void StartPhase(TrainingPhase phase, TrainingCallbacks? callbacks)
    {
        if (phase.ResetOptimizer) Optimizer.ResetState();
        if (phase.SortTrainedExpandRatios is { } trained)
        {
            if (_network is not OfaSupernet supernet)
                throw new InvalidOperationException($"Phase '{phase.Name}' sorts channels, which only a supernet has.");
            var device = supernet.Device;
            if (device.IsCpu) ChannelSorter.SortMiddleChannels(supernet, trained, Optimizer);
            else
            {
                // The sort permutes weights and optimizer state in place on the host: both make the round trip once per phase.
                supernet.ToDevice(ComputeDevice.Cpu);
                Optimizer.MoveStateToHost();
                ChannelSorter.SortMiddleChannels(supernet, trained, Optimizer);
                supernet.ToDevice(device);
            }
        }
        callbacks?.PhaseStarted?.Invoke(phase);
    }

    /// <summary>Runs the caller's validation, then puts back every buffer (BN running statistics) and the mode.</summary>
    private IReadOnlyDictionary<string, double> ValidateWithoutSideEffects(Func<EpochSummary, IReadOnlyDictionary<string, double>> validate, EpochSummary summary)
    {
        var module = _network.Module;
        var saved = module.NamedBuffers().Select(b => (b.Buffer, Values: b.Buffer.ToArray())).ToList();
        try
        {
            return validate(summary);
        }
        finally
        {
            foreach (var (buffer, values) in saved) buffer.CopyFrom(values);
            module.Train();
        }
    }

    /// <summary>One full step of the first phase at a given learning-rate schedule (tests, benchmarks).</summary>
    public StepReport TrainStep(Tensor features, Tensor targets, long step, int epoch, ILearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return TrainStep(Phases[0], features, targets, step, epoch, schedule.LearningRate(step));
    }

    /// <summary>One full step on one batch: accumulate the gradients of every task, clip, one update at
    /// <paramref name="learningRate"/>.</summary>
    public StepReport TrainStep(TrainingPhase phase, Tensor features, Tensor targets, long step, int epoch, float learningRate)
    {
        IReadOnlyList<(string Role, float Loss)> losses;
        // The whole step (forwards, backwards, update) runs in one arena scope: activations and gradients reuse
        // the previous step's buffers, so a warm step allocates almost nothing.
        using (_arena.Begin())
        {
            losses = AccumulateGradients(phase, features, targets, step);
            if (Options.GradientClipValue > 0f) GradientClipping.ClipByValue(_network.Module.Parameters(), Options.GradientClipValue);
            Optimizer.LearningRate = learningRate;
            Optimizer.Step();
        }
        double total = 0;
        foreach (var (_, loss) in losses) total += loss;
        return new StepReport(step, epoch + 1, learningRate, losses, (float)total, features.Shape[0]) { Phase = phase.Name };
    }

    /// <summary>Accumulates the gradients of the first phase's plan for <paramref name="step"/> (see the overload).</summary>
    public IReadOnlyList<(string Role, float Loss)> AccumulateGradients(Tensor features, Tensor targets, long step) =>
        AccumulateGradients(Phases[0], features, targets, step);

    /// <summary>
    /// Zeroes the gradients, then runs the strategy's plan for <paramref name="step"/> on one batch, each task's
    /// backward adding into the shared gradients; no update. Returns each task's loss. A non-finite loss throws
    /// <see cref="NonFiniteLossException"/> naming the role and step before anything reaches the weights.
    /// </summary>
    public IReadOnlyList<(string Role, float Loss)> AccumulateGradients(TrainingPhase phase, Tensor features, Tensor targets, long step)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        int classes = _network.Space.Classes;
        if (targets.Rank != 2 || targets.Shape[0] != features.Shape[0] || targets.Shape[1] != classes)
            throw new ArgumentException($"Trainer: targets ({string.Join(", ", targets.Shape)}) do not fit {features.Shape[0]} examples of {classes} classes.", nameof(targets));
        if (!GradMode.IsEnabled) throw new InvalidOperationException("Trainer: called inside GradMode.NoGrad(); training needs gradients.");
        var plan = _strategy.Plan(phase, StreamSeeds.Create(Options.Seed, StreamSeeds.Sampling, step));
        // The batch goes to the network's device (the only transfer in; the losses are the only values out).
        features = features.ToDevice(_network.Module.Device);
        Optimizer.ZeroGrad();
        string guardPrefix = Phases.Count > 1 ? $"{_strategy.Name}/{phase.Name}/" : $"{_strategy.Name}/";
        return _tasks.Run(plan, features, targets, step, guardPrefix, _strategy);
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

    /// <summary>A one-line description of the run for logs.</summary>
    public string Describe(int examples) => string.Create(CultureInfo.InvariantCulture,
        $"{_strategy.Describe()} on {_network.Describe()}, {TotalEpochs} epochs x {StepsPerEpoch(examples)} steps of {EffectiveBatchSize(examples)}, {Options.Optimizer} lr {Options.PeakLearningRate} cosine, {Options.Task}, seed {Options.Seed}");

    internal string StrategyDescription => _strategy.Describe();
}
