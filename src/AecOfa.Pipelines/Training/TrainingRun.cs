using AecOfa.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AecOfa.Audio.Augmentation;
using AtomicFile = AecOfa.Engine.IO.AtomicFile;
using AecOfa.Engine.IO;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;

namespace AecOfa.Pipelines.Training;

/// <summary>Where a long job reports to: log lines, and progress bars by label and unit (both optional).</summary>
public sealed class RunObserver
{
    public static RunObserver Silent { get; } = new();

    public TextWriter? Log { get; init; }

    /// <summary>Creates a progress sink for (label, unit), e.g. ("train", "samples"); null = none.</summary>
    public Func<string, string, IProgress<(int Done, int Total)>>? Progress { get; init; }

    internal IProgress<(int Done, int Total)>? Bar(string label, string unit) => Progress?.Invoke(label, unit);
}

/// <summary>One network evaluated on validation (and test when the data has one), after exact BN recalibration.</summary>
public sealed record NetworkEvaluation(string Name, ArchConfig Config, long Macs, long Params, ClassificationReport Validation, ClassificationReport? Test)
{
    /// <summary>The headline metric: top-1 accuracy for single-label data, mAP otherwise.</summary>
    public static double Headline(ClassificationReport report) => report.IsSingleLabel ? report.Top1Accuracy : report.MeanAveragePrecision;
}

/// <summary>What a training run produced.</summary>
public sealed record TrainingRunResult(string Folder, TrainingResult Training, IReadOnlyList<NetworkEvaluation> Evaluations, double Seconds);

/// <summary>
/// `aecofa train` as a library call: a manifest in, a run folder out. <see cref="Run"/> prepares the data
/// (<see cref="PreparedDataset"/>), builds the network (a supernet, or a fixed network of <see cref="TrainingRunSettings.Arch"/>
/// for the baselines — a <see cref="StaticMbv3Network"/>: the very network that is extracted and shipped, with no
/// slicing overhead per step), loads the frozen teacher (and, for progressive shrinking, starts from its weights as
/// OFA does), trains with the one <see cref="Trainer"/> (validation after BN recalibration every epoch), and writes:
///   config.json (every resolved setting), space.json (+ arch.json for fixed networks), metrics.jsonl (one line per
///   epoch), checkpoint.safetensors (atomic; resumable after kill -9 at any moment), results.json (validation and
///   test metrics with per-class results), and for fixed networks model.safetensors (the deployable network).
/// </summary>
public static class TrainingRun
{
    public const string ConfigFile = "config.json", SpaceFile = "space.json", ArchFile = "arch.json", MetricsFile = "metrics.jsonl",
        CheckpointFile = "checkpoint.safetensors", ResultsFile = "results.json", ModelFile = "model.safetensors";

    /// <summary>Trains into <paramref name="outDir"/>. With <paramref name="resume"/> a run already there continues
    /// from its last checkpoint (same settings required); without it an existing run is refused. Training and every
    /// evaluation run on <paramref name="device"/> (default the host); the files written are the same either way.</summary>
    public static TrainingRunResult Run(TrainingRunSettings settings, string outDir, bool resume = false, RunObserver? observer = null,
        CancellationToken cancellationToken = default, ComputeDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(outDir);
        observer ??= RunObserver.Silent;
        settings.Validate();
        var clock = Stopwatch.StartNew();
        string folder = Path.GetFullPath(outDir);
        string checkpoint = Path.Combine(folder, CheckpointFile);
        if (!resume && File.Exists(checkpoint))
            throw new IOException($"{folder}: already holds a training run ({CheckpointFile}); pass --resume to continue it, or choose another --out.");
        var log = observer.Log;

        // The manifest is checked before the run folder exists: a missing or malformed one leaves nothing behind.
        using var data = PreparedDataset.Open(settings.Manifest, settings.Data, folder, log, observer.Bar("log-mel", "clips"), cancellationToken);
        Directory.CreateDirectory(folder);
        // Resolved: absolute paths (the run folder is opened later from anywhere) and what was detected from the data.
        var resolved = settings with
        {
            Manifest = Path.GetFullPath(settings.Manifest),
            Teacher = settings.Teacher is null ? null : Path.GetFullPath(settings.Teacher),
            Arch = settings.Arch is { } a && File.Exists(a) ? Path.GetFullPath(a) : settings.Arch,
            Data = settings.Data with
            {
                ClipSeconds = data.ClipSeconds,
                Task = data.Task,
                CachePath = settings.Data.CachePath is null ? null : Path.GetFullPath(settings.Data.CachePath),
            },
        };
        if (resolved.Mixup > 0 && data.Task == TaskKind.SingleLabel)
            throw new ArgumentException("--mixup: mixup makes soft multi-label targets; it is only for multi-label data (this manifest is single-label).");

        var space = SpaceFactory.ForData(resolved.WidthMultiplier, resolved.ElasticResolution, data.MelBins, data.Frames, data.Classes, resolved.Space);
        var recalibrator = new BnRecalibrator(data.Recalibration, Math.Min(resolved.RecalibrationClips, data.Train.Count), BnRecalibrator.DefaultBatchSize);
        // A sandwich that distills in place uses the teacher run only for its starting weights.
        bool inPlace = resolved.Strategy == RunStrategy.Sandwich && resolved.StudentTeacher == "in-place";
        var teacher = inPlace ? null : LoadTeacher(resolved, space, recalibrator, log);
        ArchConfig? fixedConfig = resolved.Strategy is RunStrategy.Standalone or RunStrategy.Kd ? ResolveArch(resolved.Arch!, space) : null;
        IArchNetwork network = fixedConfig is null ? new OfaSupernet(space, resolved.Seed) : new StaticMbv3Network(space, fixedConfig, resolved.Seed);
        if (resolved.EffectiveWarmStart && network is OfaSupernet supernetToStart) WarmStart(supernetToStart, resolved.Teacher!, log);
        if (device is { IsCpu: false })
        {
            // Built and warm-started on the host, then moved once: the network, and the frozen teacher with it.
            network.Module.ToDevice(device);
            teacher?.Network.Module.ToDevice(device);
        }

        // A folder with a checkpoint keeps its settings files until the trainer has accepted the checkpoint as this
        // run's: a refused --resume must leave the run folder as it was.
        bool fresh = !File.Exists(checkpoint);
        if (fresh) WriteSettings(folder, resolved, space, fixedConfig);
        var strategy = CreateStrategy(resolved, fixedConfig, teacher is not null);
        var trainer = new Trainer(network, strategy, new TrainerOptions
        {
            Epochs = resolved.Epochs,
            BatchSize = resolved.BatchSize,
            Optimizer = resolved.Optimizer,
            PeakLearningRate = resolved.LearningRate,
            WeightDecay = resolved.WeightDecay,
            WarmupEpochs = Math.Min(resolved.WarmupEpochs, resolved.Epochs / 4.0),
            Task = data.Task,
            LabelSmoothing = data.Task == TaskKind.SingleLabel ? resolved.LabelSmoothing : 0f,
            DistillTemperature = resolved.KdTemperature,
            Seed = resolved.Seed,
            CheckpointPath = checkpoint,
            Resume = resume,
            CheckpointEverySteps = resolved.CheckpointEverySteps,
            Threads = resolved.Threads,
            CheckpointInterval = TimeSpan.FromMinutes(resolved.CheckpointMinutes),
            DataIdentity = $"{data.Identity};specaugment={resolved.SpecAugment};mixup={resolved.Mixup.ToString("R", CultureInfo.InvariantCulture)}",
        }, teacher);
        var train = data.TrainWith(resolved.SpecAugment ? DefaultSpecAugment : null, resolved.Mixup > 0 ? new Mixup(resolved.Mixup) : null);
        log?.WriteLine($"training: {trainer.Describe(train.Count)}");
        if (trainer.Phases.Count > 1) log?.WriteLine($"phases: {string.Join("; ", trainer.Phases.Select(p => $"{p.Name} {p.Epochs} ep x{p.LearningRateScale:0.###} lr"))}");

        // A full-network run trains only the largest: validating other sub-networks would measure untrained weights.
        var probes = resolved.Strategy == RunStrategy.Full ? [("largest", ArchConfig.Max(space))] : ValidationProbes(network, space);
        var counter = new FlopsCounter(space);
        var evaluator = new SubnetEvaluator(network, recalibrator, data.Validation);
        int perEpoch = trainer.StepsPerEpoch(train.Count), batch = trainer.EffectiveBatchSize(train.Count);
        long totalSamples = (long)perEpoch * batch * trainer.TotalEpochs;
        var bar = observer.Bar("train", "samples");
        var history = new List<EpochSummary>();
        var result = trainer.Run(train, new TrainingCallbacks
        {
            Resumed = epochs => log?.WriteLine($"training: resumed from {checkpoint} ({epochs} epoch(s) done)"),
            PhaseStarted = p => { if (trainer.Phases.Count > 1) log?.WriteLine($"phase {p.Describe()}"); },
            ThreadsChosen = t => log?.WriteLine(t.SwitchedBack
                ? $"threads: back to {t.Threads} (the measured choice ran its first epoch slower)"
                : string.Create(CultureInfo.InvariantCulture, $"threads: {t.Threads} (measured: {t.MaxThreads} threads step {t.SpeedupOverOneThread:0.00}x as fast as 1)")),
            StepCompleted = s => bar?.Report(((int)Math.Min(int.MaxValue, (s.Step + 1) * batch), (int)Math.Min(int.MaxValue, totalSamples))),
            Validate = resolved.ValidateEveryEpoch && data.Validation.Count > 0
                ? _ => probes.SelectMany(p => Metrics(p.Name, evaluator.Evaluate(p.Config).Report)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                : null,
            EpochCompleted = e =>
            {
                history.Add(e);
                log?.WriteLine(FormatEpoch(e, trainer.TotalEpochs));
            },
        }, cancellationToken);
        if (!fresh) WriteSettings(folder, resolved, space, fixedConfig);
        WriteMetrics(folder, result.Epochs);

        // Final evaluation: every probe on validation and test, per class.
        var testEvaluator = data.Test.Count > 0 ? new SubnetEvaluator(network, recalibrator, data.Test) : null;
        var evaluations = new List<NetworkEvaluation>();
        foreach (var (name, config) in probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var val = evaluator.Evaluate(config).Report;
            var test = testEvaluator?.Evaluate(config).Report;
            var cost = counter.Count(config);
            evaluations.Add(new NetworkEvaluation(name, config, cost.Macs, cost.Params, val, test));
            log?.WriteLine($"{name}: {cost.Macs / 1e6:F2}M MACs, {cost.Params / 1e3:F1}K params; val {val}{(test is null ? "" : $"; test {test}")}");
        }
        if (network is StaticMbv3Network fixedNetwork)
        {
            recalibrator.Recalibrate(fixedNetwork, fixedNetwork.Config);
            fixedNetwork.ToDevice(ComputeDevice.Cpu); // the model file is written from the host
            StaticNetworkFile.Save(Path.Combine(folder, ModelFile), fixedNetwork, data.FrontEndMetadata());
        }
        double seconds = clock.Elapsed.TotalSeconds;
        WriteResults(folder, resolved, data, result, evaluations, seconds);
        log?.WriteLine($"wrote {Path.Combine(folder, ResultsFile)} ({seconds:F0} s)");
        return new TrainingRunResult(folder, result, evaluations, seconds);
    }

    /// <summary>Two time masks of up to 10 frames and two frequency masks of up to 8 bins, filled with 0 (the mean
    /// after normalization): light masking for short clips.</summary>
    public static SpecAugment DefaultSpecAugment { get; } = new(timeMasks: 2, maxTimeWidth: 10, frequencyMasks: 2, maxFrequencyWidth: 8);

    /// <summary>"smallest", "largest" or an ArchConfig JSON file, validated against the space.</summary>
    public static ArchConfig ResolveArch(string arch, ArchSpace space) => arch.Trim().ToLowerInvariant() switch
    {
        "smallest" or "min" => ArchConfig.Min(space),
        "largest" or "max" => ArchConfig.Max(space),
        _ when File.Exists(arch) => ArchConfig.Load(arch, space),
        _ => throw new FileNotFoundException($"--arch {arch}: expected smallest, largest or an ArchConfig JSON file (not found).", arch),
    };

    /// <summary>The sub-networks validated every epoch: the network's own config, or the supernet's largest, a fixed
    /// middle one and the smallest.</summary>
    public static IReadOnlyList<(string Name, ArchConfig Config)> ValidationProbes(IArchNetwork network, ArchSpace space)
    {
        if (network is StaticMbv3Network s) return [("network", s.Config)];
        static int Mid(IEnumerable<int> set) { var a = set.Order().ToArray(); return a[a.Length / 2]; }
        var middle = ArchConfig.Uniform(space, Mid(space.DepthChoices), Mid(space.KernelChoices), Mid(space.ExpandChoices),
            Mid(space.Input.MelBinSet), Mid(space.Input.HopFactorSet));
        return [("largest", ArchConfig.Max(space)), ("middle", middle), ("smallest", ArchConfig.Min(space))];
    }

    private static ITrainingStrategy CreateStrategy(TrainingRunSettings s, ArchConfig? config, bool hasTeacher) => s.Strategy switch
    {
        RunStrategy.Full => new FullNetworkStrategy(),
        RunStrategy.Sandwich => new SandwichStrategy(s.RandomSubnets, s.StudentTarget == "labels+teacher" ? SubnetTarget.LabelsAndTeacher : SubnetTarget.Teacher,
            s.KdRatio, useFrozenTeacher: hasTeacher),
        RunStrategy.Progressive => new ProgressiveShrinkingStrategy(s.KdRatio, s.ResetOptimizerPerPhase),
        RunStrategy.Standalone => new StandaloneStrategy(config!),
        RunStrategy.Kd => new DistillationStrategy(config!, s.KdRatio),
        _ => throw new ArgumentOutOfRangeException(nameof(s), s.Strategy, "unknown strategy"),
    };

    /// <summary>The frozen teacher of kd / progressive / sandwich-with-teacher: the largest sub-network of a run's
    /// supernet (extracted after exact BN recalibration on this run's data), or an extracted model file.</summary>
    private static FrozenTeacher? LoadTeacher(TrainingRunSettings s, ArchSpace space, BnRecalibrator recalibrator, TextWriter? log)
    {
        if (string.IsNullOrWhiteSpace(s.Teacher)) return null;
        if (s.Strategy is RunStrategy.Full or RunStrategy.Standalone)
            throw new ArgumentException($"--teacher: a {s.Strategy.ToString().ToLowerInvariant()} run learns from the labels only; drop --teacher or use --strategy kd.");
        FrozenTeacher teacher;
        if (File.Exists(s.Teacher) && !Path.GetFileName(s.Teacher).Equals(CheckpointFile, StringComparison.OrdinalIgnoreCase))
        {
            var package = StaticNetworkFile.Load(s.Teacher);
            teacher = new FrozenTeacher(package.Network, package.Network.Config);
        }
        else
        {
            var run = TrainedRun.Open(s.Teacher);
            if (run.Space.Classes != space.Classes)
                throw new ArgumentException($"--teacher {s.Teacher}: the teacher has {run.Space.Classes} classes, this data {space.Classes}.");
            var network = run.LoadNetwork();
            teacher = network is OfaSupernet supernet
                ? new FrozenTeacher(SubnetExtractor.Extract(supernet, ArchConfig.Max(run.Space), recalibrator), ArchConfig.Max(run.Space))
                : new FrozenTeacher(network, run.Config!);
        }
        log?.WriteLine($"teacher: {teacher.Network.Describe()} from {s.Teacher} (frozen; sha256 {teacher.Identity[..12]})");
        return teacher;
    }

    /// <summary>OFA starts progressive shrinking from the trained full network's weights.</summary>
    private static void WarmStart(OfaSupernet supernet, string teacherRun, TextWriter? log)
    {
        var run = TrainedRun.Open(teacherRun);
        if (!run.IsSupernet || !run.Space.Equals(supernet.Space))
            throw new ArgumentException($"--teacher {teacherRun}: the supernet starts from the teacher run's supernet weights (warm start), so the teacher must be a full-network run over the same space (width multiplier, resolution, classes); pass --warm-start false to start from scratch.");
        Checkpoint.Load(run.CheckpointPath, supernet);
        log?.WriteLine($"warm start: the supernet starts from the weights of {run.Folder}");
    }

    private static IEnumerable<KeyValuePair<string, double>> Metrics(string name, ClassificationReport r)
    {
        yield return new($"{name}.map", r.MeanAveragePrecision);
        if (r.IsSingleLabel)
        {
            yield return new($"{name}.top1", r.Top1Accuracy);
            yield return new($"{name}.macro_f1", r.MacroF1);
        }
    }

    private static string FormatEpoch(EpochSummary e, int total)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"epoch {e.Epoch}/{total}");
        if (e.Phase != "main") sb.Append(CultureInfo.InvariantCulture, $" [{e.Phase}]");
        sb.Append(": loss ").AppendJoin("  ", e.MeanLoss.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}")));
        if (e.Validation.Count > 0) sb.Append("  | val ").AppendJoin("  ", e.Validation.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}")));
        sb.Append(CultureInfo.InvariantCulture, $"  lr {e.LastLearningRate:G3}  ({e.Seconds:F0} s)");
        return sb.ToString();
    }

    private static void WriteSettings(string folder, TrainingRunSettings settings, ArchSpace space, ArchConfig? config)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), settings.ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, SpaceFile), space.ToJson());
        if (config is not null) AtomicFile.WriteAllText(Path.Combine(folder, ArchFile), config.ToJson());
    }

    /// <summary>metrics.jsonl: one line per finished epoch, rewritten atomically from the checkpointed history.</summary>
    private static void WriteMetrics(string folder, IReadOnlyList<EpochSummary> epochs)
    {
        var sb = new StringBuilder();
        foreach (var e in epochs)
            sb.AppendLine(JsonSerializer.Serialize(new
            {
                epoch = e.Epoch,
                phase = e.Phase,
                loss = e.MeanLoss,
                totalLoss = e.MeanTotal,
                learningRate = e.LastLearningRate,
                seconds = e.Seconds,
                threads = e.Threads,
                validation = e.Validation,
            }));
        AtomicFile.WriteAllText(Path.Combine(folder, MetricsFile), sb.ToString());
    }

    /// <summary>A report as JSON-ready data: the averages and one entry per class (NaN as null).</summary>
    public static object ReportJson(ClassificationReport r, IReadOnlyList<string> classes) => new
    {
        map = r.MeanAveragePrecision,
        meanAuc = r.MeanRocAuc,
        dPrime = r.DPrime,
        top1 = r.IsSingleLabel ? r.Top1Accuracy : (double?)null,
        macroF1 = r.IsSingleLabel ? r.MacroF1 : (double?)null,
        examples = r.Examples,
        perClass = classes.Select((c, k) => new
        {
            name = c,
            ap = Finite(r.AveragePrecisionPerClass[k]),
            auc = Finite(r.RocAucPerClass[k]),
            f1 = r.IsSingleLabel ? Finite(r.F1PerClass[k]) : null,
        }),
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static void WriteResults(string folder, TrainingRunSettings settings, PreparedDataset data, TrainingResult training,
        IReadOnlyList<NetworkEvaluation> evaluations, double seconds)
    {
        var json = new
        {
            strategy = settings.Strategy.ToString().ToLowerInvariant(),
            task = data.Task == TaskKind.SingleLabel ? "single-label" : "multi-label",
            headline = data.Task == TaskKind.SingleLabel ? "top1" : "map",
            splits = new { train = data.Train.Count, val = data.Validation.Count, test = data.Test.Count, valCarvedFromTrain = data.ValidationWasCarved },
            wallSeconds = seconds,
            trainingSeconds = training.Epochs.Sum(e => e.Seconds),
            epochs = training.Epochs.Count,
            resumedFromStep = training.ResumedFromStep,
            networks = evaluations.Select(e => new
            {
                name = e.Name,
                macs = e.Macs,
                @params = e.Params,
                config = JsonDocument.Parse(e.Config.ToJson()).RootElement,
                validation = ReportJson(e.Validation, data.ClassNames),
                test = e.Test is null ? null : ReportJson(e.Test, data.ClassNames),
            }),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, ResultsFile), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }
}
