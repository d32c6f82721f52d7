using AecOfa.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;
using AtomicFile = AecOfa.Engine.IO.AtomicFile;

namespace AecOfa.Pipelines.Experiment;

/// <summary>One trained (or inherited) network of the experiment, scored on validation and test.</summary>
public sealed record ArmResult(string Arm, double Budget, int Seed, string Config, long Macs, long Params, double Validation, double? Test, double TrainSeconds, string Folder);

/// <summary>Everything an experiment measured, and where its report went.</summary>
public sealed record ExperimentReport(ExperimentSettings Settings, string Metric, IReadOnlyList<ArmResult> Arms, string ReportPath, double Seconds);

/// <summary>
/// `aecofa experiment` as a library call (the paper's protocol end to end; see <see cref="ExperimentSettings"/>).
/// Layout of the output folder: dataset/ (synthetic only), features.cache (shared by every arm), seed{s}/teacher,
/// seed{s}/supernet, seed{s}/search, seed{s}/{scratch,kd,human-scratch,human-kd}-{budget} (each a run folder of
/// <see cref="TrainingRun"/>), report.md, report.json, front.png. Resumable as a whole: a finished arm (results.json
/// present) is read back, an interrupted one resumes from its checkpoint, a finished search is reused.
/// Arms: "ofa" (the searched sub-network with inherited weights, BN recalibrated), "scratch" and "kd" (the same
/// architecture trained alone, without / with distillation from the teacher), "human-scratch" and "human-kd" (the
/// width-scaled MobileNetV3 whose MACs fit the budget: the architecture a person would pick without search).
/// </summary>
public static class ExperimentRun
{
    public const string ReportFile = "report.md", ReportJsonFile = "report.json", PlotFile = "front.png";
    public static readonly string[] ArmOrder = ["ofa", "scratch", "kd", "human-scratch", "human-kd"];

    /// <summary>Runs (or resumes) the experiment of <paramref name="settings"/> in <paramref name="outDir"/>.</summary>
    /// <param name="settings">Data, seeds, budgets, epochs and the arms to train.</param>
    /// <param name="outDir">The experiment folder: every arm's run folder, the searches, report.md, report.json, front.png.</param>
    /// <param name="observer">Log and progress bars (null: silent).</param>
    /// <param name="cancellationToken">Checked between and inside arms; finished arms stay finished.</param>
    /// <param name="device">Where every arm trains and the search evaluates (default the host).</param>
    public static ExperimentReport Run(ExperimentSettings settings, string outDir, RunObserver? observer = null, CancellationToken cancellationToken = default,
        ComputeDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        observer ??= RunObserver.Silent;
        var log = observer.Log;
        var clock = Stopwatch.StartNew();
        string root = Path.GetFullPath(outDir);
        if (settings.Manifest is { } given) PreparedDataset.ManifestFile(given); // a missing manifest leaves no folder behind
        Directory.CreateDirectory(root);
        string manifest = settings.Manifest ?? SyntheticData.Ensure(SyntheticData.DemoOptions(settings.SyntheticTrainClips), Path.Combine(root, "dataset"), log, observer.Bar("synth", "clips"));
        var shared = settings.Training with { Manifest = manifest, Data = settings.Training.Data with { CachePath = Path.Combine(root, "features.cache") } };
        AtomicFile.WriteAllText(Path.Combine(root, "experiment.json"), (settings with { Manifest = manifest }).ToJson());

        var arms = new List<ArmResult>();
        string metric = "mAP";
        foreach (int seed in settings.Seeds)
        {
            string seedDir = Path.Combine(root, $"seed{seed}");
            var teacher = RunArm(shared with { Strategy = RunStrategy.Full, Epochs = settings.TeacherEpochs, Seed = seed }, Path.Combine(seedDir, "teacher"), "teacher", 0, seed, observer, cancellationToken, device);
            var supernetSettings = shared with
            {
                Strategy = settings.SupernetStrategy,
                Epochs = settings.SupernetEpochs,
                Seed = seed,
                // Both strategies start from the teacher's weights and learn from it frozen (sandwich: the students
                // distill from it instead of from the largest sub-network in place).
                Teacher = teacher.Folder,
            };
            var supernet = RunArm(supernetSettings, Path.Combine(seedDir, "supernet"), "supernet", 0, seed, observer, cancellationToken, device);

            // Search on validation, per budget; the winners' test scores are the "ofa" arm.
            string searchDir = Path.Combine(seedDir, "search");
            var trained = TrainedRun.Open(supernet.Folder);
            using var data = trained.OpenData();
            metric = data.Task == Nas.Training.TaskKind.SingleLabel ? "top-1" : "mAP";
            var winners = LoadSearch(searchDir, settings.Search);
            if (winners is null)
            {
                log?.WriteLine($"seed {seed}: searching {string.Join(", ", settings.Search.Budgets.Select(BudgetSearch.Format))} {BudgetSearch.UnitName(settings.Search.Unit)}");
                var report = BudgetSearch.Run(trained.LoadSupernet(), data, settings.Search with { Seed = seed }, observer, cancellationToken, device);
                BudgetSearch.Write(report, searchDir, data.ClassNames);
                winners = LoadSearch(searchDir, settings.Search) ?? throw new InvalidDataException($"{searchDir}: the search just written cannot be read back.");
            }
            foreach (var w in winners)
            {
                arms.Add(w with { Seed = seed, TrainSeconds = supernet.TrainSeconds + teacher.TrainSeconds });
                string arch = Path.Combine(searchDir, BudgetSearch.ArchFileName(w.Budget));
                var baseline = shared with { Arch = arch, Epochs = settings.EffectiveBaselineEpochs, Seed = seed };
                string b = BudgetSearch.Format(w.Budget);
                arms.Add(RunArm(baseline with { Strategy = RunStrategy.Standalone }, Path.Combine(seedDir, $"scratch-{b}"), "scratch", w.Budget, seed, observer, cancellationToken, device));
                arms.Add(RunArm(baseline with { Strategy = RunStrategy.Kd, Teacher = teacher.Folder }, Path.Combine(seedDir, $"kd-{b}"), "kd", w.Budget, seed, observer, cancellationToken, device));
                if (settings.HumanBaselines && HumanChoice(shared, data, settings.Search.Limit(w.Budget), settings.Search.Unit) is { } human)
                {
                    string humanArch = Path.Combine(seedDir, $"human-{b}.json");
                    human.Config.Save(humanArch);
                    var h = shared with { WidthMultiplier = human.Width, Arch = humanArch, Epochs = settings.EffectiveBaselineEpochs, Seed = seed };
                    arms.Add(RunArm(h with { Strategy = RunStrategy.Standalone }, Path.Combine(seedDir, $"human-scratch-{b}"), "human-scratch", w.Budget, seed, observer, cancellationToken, device));
                    arms.Add(RunArm(h with { Strategy = RunStrategy.Kd, Teacher = teacher.Folder }, Path.Combine(seedDir, $"human-kd-{b}"), "human-kd", w.Budget, seed, observer, cancellationToken, device));
                }
            }
        }
        var result = new ExperimentReport(settings with { Manifest = manifest }, metric, arms, Path.Combine(root, ReportFile), clock.Elapsed.TotalSeconds);
        ExperimentReportWriter.Write(result, root);
        log?.WriteLine($"wrote {Path.Combine(root, ReportFile)}, {ReportJsonFile} and {PlotFile} ({result.Seconds:F0} s)");
        return result;
    }

    /// <summary>Trains one arm unless its results.json exists (then reads it back); resumes an interrupted one.</summary>
    private static ArmResult RunArm(TrainingRunSettings settings, string folder, string arm, double budget, int seed, RunObserver observer, CancellationToken ct, ComputeDevice? device)
    {
        string results = Path.Combine(folder, TrainingRun.ResultsFile);
        if (!File.Exists(results))
        {
            observer.Log?.WriteLine($"== seed {seed}: {arm}{(budget > 0 ? $" @ {BudgetSearch.Format(budget)}" : "")} ({settings.Strategy.ToString().ToLowerInvariant()}, {settings.Epochs} epochs) -> {folder}");
            bool resume = File.Exists(Path.Combine(folder, TrainingRun.CheckpointFile));
            var quiet = new RunObserver { Log = null, Progress = observer.Progress };
            TrainingRun.Run(settings, folder, resume, quiet, ct, device);
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(results));
        var r = doc.RootElement;
        string headline = r.GetProperty("headline").GetString()!;
        var network = r.GetProperty("networks")[0];
        double Score(JsonElement report) => report.GetProperty(headline).GetDouble();
        var test = network.GetProperty("test");
        var result = new ArmResult(arm, budget, seed, network.GetProperty("config").GetRawText(), network.GetProperty("macs").GetInt64(), network.GetProperty("params").GetInt64(),
            Score(network.GetProperty("validation")), test.ValueKind == JsonValueKind.Null ? null : Score(test), r.GetProperty("trainingSeconds").GetDouble(), folder);
        if (budget > 0)
            observer.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {arm} @ {BudgetSearch.Format(budget)}: {result.Macs / 1e6:F2}M MACs, val {result.Validation:F4}, test {result.Test:F4} ({result.TrainSeconds:F0} s training, {settings.WidthMultiplier}x width)"));
        return result;
    }

    /// <summary>The winners of a finished search (search.json with every budget), or null.</summary>
    private static List<ArmResult>? LoadSearch(string folder, BudgetSearchSettings settings)
    {
        string path = Path.Combine(folder, BudgetSearch.ResultFile);
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var metric = doc.RootElement.GetProperty("metric").GetString() == "top-1" ? "top1" : "map";
        var winners = new List<ArmResult>();
        foreach (var w in doc.RootElement.GetProperty("winners").EnumerateArray())
        {
            var test = w.GetProperty("test");
            winners.Add(new ArmResult("ofa", w.GetProperty("budget").GetDouble(), 0, w.GetProperty("config").GetRawText(), w.GetProperty("macs").GetInt64(),
                w.GetProperty("params").GetInt64(), w.GetProperty("validation").GetProperty(metric).GetDouble(),
                test.ValueKind == JsonValueKind.Null ? null : test.GetProperty(metric).GetDouble(), 0, folder));
        }
        bool complete = settings.Budgets.All(b => winners.Any(w => Math.Abs(w.Budget - b) < 1e-12));
        return complete ? winners.Where(w => settings.Budgets.Any(b => Math.Abs(w.Budget - b) < 1e-12)).ToList() : null;
    }

    /// <summary>
    /// The architecture a person would pick at a budget: the largest MobileNetV3 of the space (every stage at full
    /// depth, kernel and expand) scaled by the widest width multiplier (steps of 0.01) whose cost fits, at full input
    /// resolution, else at the lowest resolution; null when no width down to 0.1 fits.
    /// </summary>
    public static (double Width, ArchConfig Config)? HumanChoice(TrainingRunSettings shared, PreparedDataset data, long limit, BudgetUnit unit)
    {
        foreach (bool lowResolution in new[] { false, true })
        {
            for (int w100 = 200; w100 >= 10; w100--)
            {
                double width = w100 / 100.0;
                var space = SpaceFactory.ForData(width, shared.ElasticResolution, data.MelBins, data.Frames, data.Classes, shared.Space);
                var max = ArchConfig.Max(space);
                var config = lowResolution ? max.WithResolution(space.Input.MelBinSet.Min(), space.Input.HopFactorSet.Max()) : max;
                var cost = new FlopsCounter(space).Count(config);
                if ((unit == BudgetUnit.MMacs ? cost.Macs : cost.Params) <= limit) return (width, config);
            }
        }
        return null;
    }
}
