using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AecOfa.Audio.Augmentation;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dataset;
using AecOfa.Cli.Console;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;

namespace AecOfa.Cli.Demo;

/// <summary>What a demo run wrote and measured.</summary>
internal sealed record DemoResult(IReadOnlyList<SubnetRow> Rows, SubnetRow Best, string ResultsPath, string PlotPath, string ModelPath, double Seconds);

/// <summary>
/// `aecofa demo` end to end: synthetic dataset (reused when present) → log-mel feature cache (reused) and
/// normalization statistics → space summary → sandwich-rule supernet training with per-epoch checkpoints (resumable)
/// → BN-recalibrated evaluation of the smallest, largest and random sub-networks on validation, the best few on test →
/// results.json, a MACs-vs-mAP plot and the best sub-network extracted to safetensors. Every file is written atomically.
/// </summary>
internal static class DemoRunner
{
    public const string ResultsFile = "results.json";
    public const string PlotFile = "pareto.png";
    public const string ModelFile = "best_subnet.safetensors";
    public const string CheckpointFile = "supernet.ckpt.safetensors";

    public static DemoResult Run(DemoOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        string outDir = Path.GetFullPath(options.OutDir);
        Directory.CreateDirectory(outDir);

        // (a) dataset
        string dataDir = Path.Combine(outDir, "dataset");
        var synth = new SyntheticEventsOptions
        {
            TrainClips = options.TrainClips,
            ValidationClips = options.ValidationClips,
            TestClips = options.TestClips,
            ClipSeconds = options.ClipSeconds,
        };
        EnsureDataset(synth, dataDir, options.Quiet, output);
        var phases = new Dictionary<string, double>(StringComparer.Ordinal) { ["dataset"] = clock.Elapsed.TotalSeconds };
        double mark = clock.Elapsed.TotalSeconds;
        void Phase(string name)
        {
            double now = clock.Elapsed.TotalSeconds;
            phases[name] = now - mark;
            mark = now;
        }

        // (b) features
        var logMel = new LogMelOptions { SampleRate = synth.SampleRate, MelBins = options.MelBins };
        var manifest = Manifest.Read(dataDir, new ManifestReadOptions(AllowEmptyLabels: true));
        var loader = new ManifestAudioLoader(manifest, synth.SampleRate);
        var bar = options.Quiet ? null : new ProgressReporter("log-mel", "clips");
        using var opened = FeatureCache.OpenOrBuild(Path.Combine(outDir, "features.cache"), loader, new LogMelExtractor(logMel),
            new FeatureCacheOptions(ClipLengthPolicy.Fixed(options.ClipSeconds)), bar, cancellationToken).Cache;
        output.WriteLine($"features: {opened.ClipCount} clips, {opened.Bins} mel bins x {opened.FixedFrames} frames, {opened.ClassCount} classes ({opened.Path})");
        string trainName = DatasetSplit.Train.ManifestName(), valName = DatasetSplit.Validation.ManifestName(), testName = DatasetSplit.Test.ManifestName();
        var normalizer = FitNormalizer(opened, trainName, logMel.ConfigKey);
        var train = new FeatureSplit(opened, trainName, normalizer, options.SpecAugment ? DemoOptions.DefaultSpecAugment : null,
            options.MixupAlpha > 0 ? new Mixup(options.MixupAlpha) : null);
        var val = new FeatureSplit(opened, valName, normalizer);
        var test = new FeatureSplit(opened, testName, normalizer);
        Phase("features");

        // (c) space
        var space = BuildSpace(options, opened.Bins, opened.FixedFrames, opened.ClassCount);
        output.Write(SpaceSummary.Create(space).ToText());

        // (d) training
        var supernet = new OfaSupernet(space, options.Seed);
        ITrainingStrategy strategy = options.FullNetworkOnly ? new FullNetworkStrategy() : new SandwichStrategy(options.TrainRandomSubnets);
        var trainer = new Trainer(supernet, strategy, new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            PeakLearningRate = options.LearningRate,
            Optimizer = options.Optimizer,
            WarmupEpochs = Math.Min(1.0, options.Epochs / 4.0),
            Seed = options.Seed,
            CheckpointPath = Path.Combine(outDir, CheckpointFile),
            Resume = options.Resume,
        });
        var training = Train(trainer, strategy, train, options, output, cancellationToken);
        Phase("training");

        // (e) evaluation
        var recalibrator = new BnRecalibrator(train, Math.Min(options.RecalibrationClips, train.Count), BnRecalibrator.DefaultBatchSize);
        var rows = Evaluate(supernet, recalibrator, val, test, options, output, cancellationToken);
        var best = rows.OrderByDescending(r => r.ValMap).ThenBy(r => r.Macs).First();
        output.WriteLine(FormatTable(rows));
        Phase("evaluation");

        // (f) outputs
        string modelPath = Path.Combine(outDir, ModelFile);
        var network = SubnetExtractor.Extract(supernet, best.Config, recalibrator);
        StaticNetworkFile.Save(modelPath, network, FrontEnd(logMel, options, normalizer));
        string plotPath = Path.Combine(outDir, PlotFile);
        ParetoPlot.Write(plotPath, rows, $"AecOfa demo: {(options.FullNetworkOnly ? "full network" : "sandwich supernet")}, {options.Epochs} epochs, width x{options.WidthMultiplier}");
        string resultsPath = Path.Combine(outDir, ResultsFile);
        Phase("outputs");
        double seconds = clock.Elapsed.TotalSeconds;
        WriteResults(resultsPath, options, space, training, rows, best, modelPath, plotPath, seconds, phases);
        output.WriteLine($"best sub-network on validation: {best.Name} ({best.Config}), {best.Macs / 1e6:F2}M MACs, {best.Params / 1e3:F1}K params, val mAP {best.ValMap:F4}");
        output.WriteLine($"wrote {resultsPath}, {plotPath} and {modelPath}");
        output.WriteLine($"demo finished in {ProgressReporter.FormatDuration(seconds)} ({string.Join(", ", phases.Select(p => $"{p.Key} {p.Value:F0} s"))})");
        return new DemoResult(rows, best, resultsPath, plotPath, modelPath, seconds);
    }

    /// <summary>Per-mel-bin mean and std over every frame of the training split (clip order: deterministic).</summary>
    private static FeatureNormalizer FitNormalizer(FeatureCache cache, string split, string configKey)
    {
        var statistics = new FeatureStatistics(cache.Bins);
        foreach (int clip in cache.ClipsOfSplit(split)) statistics.Add(cache.Features(clip), cache.Bins);
        return statistics.ToNormalizer(featureConfigKey: configKey);
    }

    /// <summary>The default space at the requested width with elastic input resolution, sized to the data.</summary>
    internal static ArchSpace BuildSpace(DemoOptions options, int melBins, int frames, int classes)
    {
        var template = options.Space ?? ArchSpace.Default with
        {
            WidthMultiplier = options.WidthMultiplier,
            Input = new InputSpec
            {
                MelBinChoices = [melBins, Math.Max(1, melBins * 3 / 4), Math.Max(1, melBins / 2)],
                HopFactorChoices = [1, 2],
            },
        };
        var input = template.Input with { MelBins = melBins, Frames = frames };
        if (!input.MelBinChoices.IsDefaultOrEmpty && !input.MelBinChoices.Contains(melBins))
            throw new ArgumentException($"The space's mel-bin choices ({string.Join(", ", input.MelBinChoices)}) must include the features' {melBins} bins.");
        var space = template with { Input = input, Classes = classes };
        space.Validate();
        return space;
    }

    private static void EnsureDataset(SyntheticEventsOptions synth, string dataDir, bool quiet, TextWriter output)
    {
        string stamp = Path.Combine(dataDir, "synthetic_options.json");
        string wanted = JsonSerializer.Serialize(synth);
        if (File.Exists(Path.Combine(dataDir, Manifest.FileName)) && File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
        {
            output.WriteLine($"dataset: reusing {dataDir}");
            return;
        }
        output.WriteLine($"dataset: generating {synth.TrainClips} train / {synth.ValidationClips} val / {synth.TestClips} test clips of {synth.ClipSeconds} s into {dataDir}");
        var bar = quiet ? null : new ProgressReporter("synth", "clips");
        var progress = bar is null ? null : new InlineProgress<SyntheticWriteProgress>(p => bar.Report((p.Completed, p.Total)));
        SyntheticDatasetWriter.Write(new SyntheticEventsDataset(synth), dataDir, progress);
        Audio.IO.AtomicFile.WriteAllText(stamp, wanted);
    }

    private static TrainingResult Train(Trainer trainer, ITrainingStrategy strategy, FeatureSplit train, DemoOptions options, TextWriter output, CancellationToken ct)
    {
        int steps = trainer.StepsPerEpoch(train.Count), batch = trainer.EffectiveBatchSize(train.Count);
        output.WriteLine($"training: {strategy.Name}, {options.Epochs} epochs x {steps} steps of {batch} clips, {options.Optimizer} lr {options.LearningRate} cosine, seed {options.Seed}");
        var bar = options.Quiet ? null : new ProgressReporter("train", "samples");
        int totalSamples = options.Epochs * steps * batch;
        var result = trainer.Run(train, new TrainingCallbacks
        {
            Resumed = epochs => output.WriteLine($"training: resumed after epoch {epochs} from {trainer.Options.CheckpointPath}"),
            StepCompleted = s => bar?.Report(((int)(s.Step + 1) * batch, totalSamples)),
            EpochCompleted = e => output.WriteLine(
                $"epoch {e.Epoch}/{options.Epochs}: loss {string.Join("  ", e.MeanLoss.Select(kv => $"{kv.Key} {kv.Value:F4}"))}  lr {e.LastLearningRate:G3}  ({e.Seconds:F0} s)"),
        }, ct);
        if (options.Resume && result.ResumedFromEpoch == 0) output.WriteLine("training: --resume found no checkpoint; trained from the start");
        return result;
    }

    private static List<SubnetRow> Evaluate(OfaSupernet supernet, BnRecalibrator recalibrator, FeatureSplit val, FeatureSplit test,
        DemoOptions options, TextWriter output, CancellationToken ct)
    {
        var space = supernet.Space;
        var candidates = new List<(string Name, ArchConfig Config)> { ("smallest", ArchConfig.Min(space)), ("largest", ArchConfig.Max(space)) };
        var seen = new HashSet<ArchConfig>(candidates.Select(c => c.Config));
        var rng = new Random(options.Seed + 7919);
        for (int attempt = 0; candidates.Count < 2 + options.EvalRandomSubnets && attempt < 100 * (options.EvalRandomSubnets + 1); attempt++)
        {
            var config = ArchSampling.Sample(space, rng);
            if (seen.Add(config)) candidates.Add(($"random{candidates.Count - 1}", config));
        }
        var counter = new FlopsCounter(space);
        var valEvaluator = new SubnetEvaluator(supernet, recalibrator, val);
        var bar = options.Quiet ? null : new ProgressReporter("evaluate (val)", "subnets");
        var measured = new List<(string Name, ArchConfig Config, SubnetCost Cost, double Map)>();
        foreach (var (name, config) in candidates)
        {
            ct.ThrowIfCancellationRequested();
            measured.Add((name, config, counter.Count(config), valEvaluator.Evaluate(config).Report.MeanAveragePrecision));
            bar?.Report((measured.Count, candidates.Count));
        }
        var front = new HashSet<int>(ParetoFront.Indices(measured.Select(m => ((double)m.Cost.Macs, m.Map)).ToList()));
        var toTest = front.OrderByDescending(i => measured[i].Map).Take(options.TestBest).ToHashSet();
        var testEvaluator = new SubnetEvaluator(supernet, recalibrator, test);
        var rows = new List<SubnetRow>();
        for (int i = 0; i < measured.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var m = measured[i];
            double? testMap = toTest.Contains(i) ? testEvaluator.Evaluate(m.Config).Report.MeanAveragePrecision : null;
            rows.Add(new SubnetRow(m.Name, m.Config, m.Cost.Macs, m.Cost.Params, m.Map, testMap, front.Contains(i)));
        }
        return rows.OrderBy(r => r.Macs).ToList();
    }

    internal static string FormatTable(IReadOnlyList<SubnetRow> rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"sub-network",-11} {"MACs",9} {"params",9} {"val mAP",8} {"test mAP",8}  front  config"));
        foreach (var r in rows)
        {
            string testMap = r.TestMap is { } t ? t.ToString("F4", CultureInfo.InvariantCulture) : "-";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-11} {r.Macs / 1e6,8:F2}M {r.Params / 1e3,8:F1}K {r.ValMap,8:F4} {testMap,8}  {(r.OnFront ? "  *  " : "     ")}  {r.Config}"));
        }
        return sb.ToString();
    }

    private static Dictionary<string, string> FrontEnd(LogMelOptions logMel, DemoOptions options, FeatureNormalizer normalizer) => new(StringComparer.Ordinal)
    {
        ["logmel"] = logMel.ConfigKey,
        ["clip_seconds"] = options.ClipSeconds.ToString("R", CultureInfo.InvariantCulture),
        ["normalization"] = normalizer.ToJson(),
    };

    private static void WriteResults(string path, DemoOptions options, ArchSpace space, TrainingResult training, IReadOnlyList<SubnetRow> rows,
        SubnetRow best, string modelPath, string plotPath, double seconds, IReadOnlyDictionary<string, double> phases)
    {
        var json = new
        {
            demo = new
            {
                epochs = options.Epochs,
                trainClips = options.TrainClips,
                validationClips = options.ValidationClips,
                testClips = options.TestClips,
                clipSeconds = options.ClipSeconds,
                widthMultiplier = options.WidthMultiplier,
                seed = options.Seed,
                batchSize = options.BatchSize,
                learningRate = options.LearningRate,
                optimizer = options.Optimizer.ToString(),
                strategy = options.FullNetworkOnly ? "full-network" : "sandwich",
                trainRandomSubnets = options.TrainRandomSubnets,
                specAugment = options.SpecAugment,
                mixupAlpha = options.MixupAlpha,
                recalibrationClips = options.RecalibrationClips,
                resumedFromEpoch = training.ResumedFromEpoch,
                wallSeconds = seconds,
                phaseSeconds = phases,
            },
            space = JsonDocument.Parse(space.ToJson()).RootElement,
            training = training.Epochs.Select(e => new { epoch = e.Epoch, meanLoss = e.MeanLoss, meanTotal = e.MeanTotal, lastLearningRate = e.LastLearningRate, seconds = e.Seconds }),
            subnets = rows.Select(r => new
            {
                name = r.Name,
                macs = r.Macs,
                @params = r.Params,
                valMap = r.ValMap,
                testMap = r.TestMap,
                onFront = r.OnFront,
                config = JsonDocument.Parse(r.Config.ToJson()).RootElement,
            }),
            best = new { name = best.Name, macs = best.Macs, @params = best.Params, valMap = best.ValMap, testMap = best.TestMap, model = Path.GetFileName(modelPath) },
            plot = Path.GetFileName(plotPath),
        };
        Audio.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }
}
