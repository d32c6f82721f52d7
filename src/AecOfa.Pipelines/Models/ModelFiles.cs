using System.Globalization;
using AecOfa.Audio.Datasets;
using AecOfa.Audio.Features;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Inference;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Models;

/// <summary>
/// Deployable model files (one safetensors file: the extracted static network, its architecture, and the front end
/// it expects — log-mel settings, clip length, normalization, class names): extraction from a trained supernet run
/// (`aecofa extract`) and evaluation of a model file on any manifest split (`aecofa eval`).
/// </summary>
public static class ModelFiles
{
    /// <summary>The architecture to extract: an ArchConfig JSON file, "smallest"/"largest", or the search winner of
    /// <paramref name="budget"/> (RUN_DIR/search/best_&lt;budget&gt;.json from `aecofa search`).</summary>
    public static ArchConfig ResolveArch(TrainedRun run, string? arch, double? budget)
    {
        if (arch is not null && budget is not null) throw new ArgumentException("--arch and --budget: give one of them, not both.");
        if (budget is { } b)
        {
            string path = Path.Combine(run.Folder, "search", BudgetSearch.ArchFileName(b));
            if (!File.Exists(path)) throw new FileNotFoundException($"--budget {BudgetSearch.Format(b)}: {path} not found; run `aecofa search {run.Folder} --budgets {BudgetSearch.Format(b)}` first.", path);
            return ArchConfig.Load(path, run.Space);
        }
        if (arch is null) throw new ArgumentException("--arch or --budget: say which sub-network to extract.");
        return TrainingRun.ResolveArch(arch, run.Space);
    }

    /// <summary>Extracts <paramref name="config"/> from a supernet run (exact BN recalibration on the run's training
    /// data first) and saves it with the run's front end to <paramref name="outPath"/>. Returns the network.</summary>
    public static StaticMbv3Network Extract(TrainedRun run, ArchConfig config, string outPath, int recalibrationClips = BnRecalibrator.DefaultClips, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(config);
        using var data = run.OpenData(log);
        var supernet = run.LoadSupernet();
        var recalibrator = new BnRecalibrator(data.Recalibration, Math.Min(recalibrationClips, data.Train.Count), BnRecalibrator.DefaultBatchSize);
        var network = SubnetExtractor.Extract(supernet, config, recalibrator);
        StaticNetworkFile.Save(outPath, network, data.FrontEndMetadata());
        return network;
    }

    /// <summary>
    /// Evaluates a model file on one split of a manifest, through the model's own front end and normalization (never
    /// refitted) and its stored BN statistics. The manifest's classes must be the model's, in the same order.
    /// </summary>
    public static (ClassificationReport Report, IReadOnlyList<string> Classes) Evaluate(string modelPath, string manifestPath, string split,
        string? cachePath = null, TextWriter? log = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default,
        ComputeDevice? device = null)
    {
        var package = StaticNetworkFile.Load(modelPath);
        var frontEnd = Inference.ModelFrontEnd.FromMetadata(package.FrontEnd, package.Network.Space);
        var normalizer = frontEnd.Normalizer ?? throw new InvalidDataException($"{modelPath}: the model carries no normalization statistics ('{Inference.ModelFrontEnd.NormalizationKey}').");
        var modelClasses = frontEnd.ClassNames ?? throw new InvalidDataException($"{modelPath}: the model carries no class names ('{Inference.ModelFrontEnd.ClassesKey}'); extract it with `aecofa extract` or train it with `aecofa train`.");
        var logMel = frontEnd.LogMel;
        double seconds = frontEnd.ClipSeconds;

        string path = Directory.Exists(manifestPath) ? Path.Combine(manifestPath, Manifest.FileName) : manifestPath;
        var manifest = Manifest.Read(path, new ManifestReadOptions(AllowEmptyLabels: true));
        if (!manifest.Classes.Names.SequenceEqual(modelClasses))
            throw new InvalidDataException($"{path}: its classes ({string.Join(", ", manifest.Classes.Names.Take(8))}{(manifest.Classes.Count > 8 ? ", ..." : "")}) are not the model's ({string.Join(", ", modelClasses.Take(8))}{(modelClasses.Count > 8 ? ", ..." : "")}), in the same order.");
        if (manifest.IndicesOfSplit(split).Length == 0)
            throw new InvalidDataException($"{path}: split '{split}' has no clips (splits present: {string.Join(", ", manifest.Entries.Select(e => e.Split).Distinct().Order())}).");
        string cache = cachePath ?? modelPath + ".eval.cache";
        using var opened = FeatureCache.OpenOrBuild(cache, new ManifestAudioLoader(manifest, logMel.SampleRate), new LogMelExtractor(logMel),
            new FeatureCacheOptions(ClipLengthPolicy.Fixed(seconds)), progress, cancellationToken).Cache;
        log?.WriteLine($"features: {opened.ClipCount} clips ({cache})");
        var data = new FeatureSplit(opened, split, normalizer);
        var network = package.Network;
        device ??= ComputeDevice.Cpu;
        network.Eval();
        var scores = new List<float>();
        var targets = new List<float>();
        if (!device.IsCpu)
        {
            network.ToDevice(device); // each batch goes in, its scores come out
            var arena = new TensorArena();
            foreach (var (x, y) in data.Batches(SubnetEvaluator.DefaultBatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (arena.BeginOnDevice(device))
                    scores.AddRange(network.Forward(x.ToDevice(device)).ToArray());
                targets.AddRange(y.Data);
            }
            return (ClassificationMetrics.Evaluate(scores.ToArray(), targets.ToArray(), modelClasses.Count), modelClasses);
        }
        // On the CPU: the compiled batch-1 plan (InferencePlan), one per thread: clips are independent, so each clip's
        // logits are the same whatever the thread count.
        int threads = Math.Max(1, WorkerPool.MaxThreads), classes = network.Space.Classes;
        var plans = Enumerable.Range(0, threads).Select(_ => InferencePlan.Compile(network)).ToArray();
        foreach (var (x, y) in data.Batches(SubnetEvaluator.DefaultBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = x.Shape[0], per = plans[0].InputLength;
            if (x.Numel != n * per)
                throw new InvalidDataException($"{modelPath}: the features are ({string.Join(", ", x.Shape)}), the model takes (N, 1, {plans[0].InputBins}, {plans[0].Frames}).");
            var features = x.Data;
            var logits = new float[n * classes];
            Parallel.For(0, Math.Min(threads, n), new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (int i = t; i < n; i += threads) plans[t].Run(features.AsSpan(i * per, per), logits.AsSpan(i * classes, classes));
            });
            scores.AddRange(logits);
            targets.AddRange(y.Data);
        }
        return (ClassificationMetrics.Evaluate(scores.ToArray(), targets.ToArray(), modelClasses.Count), modelClasses);
    }
}
