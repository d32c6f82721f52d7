using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AecOfa.Audio.Features;
using AecOfa.Engine.Kernels;
using AecOfa.Pipelines.Inference;
using AecOfa.Pipelines.Latency;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa latency`: measure a <see cref="LatencyTable"/> on this machine (--table) and check its
/// predictions against whole random sub-networks (--check).</summary>
public static class LatencyCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model") { Description = "Measure the space (and front end) of this extracted sub-network file (default: the demo's space, 64 mel bins x 101 frames, 11 classes)." };
        var spaceFile = new Option<FileInfo?>("--space") { Description = "Measure this ArchSpace JSON instead." };
        var table = new Option<FileInfo?>("--table") { Description = "Measure every part and write the table here (JSON)." };
        var from = new Option<FileInfo?>("--from") { Description = "Use this previously written table instead of measuring one (with --check)." };
        var check = new Option<bool>("--check") { Description = "Compare predicted (sum of parts) with measured latency of random sub-networks (batch 1)." };
        var count = new Option<int>("--count") { Description = "Random sub-networks for --check.", DefaultValueFactory = _ => 50 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per part (median and quartiles are reported).", DefaultValueFactory = _ => 15 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before timing.", DefaultValueFactory = _ => 3 };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes to measure (default: 1 8).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 8] };
        var threads = new Option<int?>("--threads") { Description = "Engine threads for --path eval (default: all cores); the plan runs on one." };
        var path = new Option<string>("--path") { Description = "plan: the compiled inference plan predict and eval run (one thread); eval: the autograd eval path.", DefaultValueFactory = _ => "plan" };
        path.AcceptOnlyFromAmong("plan", "eval");
        var seed = new Option<int>("--seed") { Description = "Seed of the random sub-networks of --check.", DefaultValueFactory = _ => 1 };
        var command = new Command("latency", "Measure per-part latency on this machine into a lookup table; check predicted vs measured latency of random sub-networks.")
        {
            model, spaceFile, table, from, check, count, repeats, warmup, batches, threads, path, seed,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var tableFile = parse.GetValue(table);
            var fromFile = parse.GetValue(from);
            bool doCheck = parse.GetValue(check);
            if (tableFile is null && !doCheck) throw new ArgumentException("latency: give --table OUT.json, --check, or both.");
            int previousThreads = WorkerPool.MaxThreads;
            if (parse.GetValue(threads) is { } t)
            {
                if (t < 1) throw new ArgumentException($"--threads must be at least 1, got {t}.");
                WorkerPool.MaxThreads = t;
            }
            try
            {
                return Run(parse, output, tableFile, fromFile, doCheck, model, spaceFile, batches, repeats, warmup, count, seed, parse.GetValue(path) == "eval" ? LatencyPath.Eval : LatencyPath.Plan);
            }
            finally
            {
                WorkerPool.MaxThreads = previousThreads; // in-process callers (tests) keep their setting
            }
        }));
        return command;
    }

    private static int Run(ParseResult parse, TextWriter output, FileInfo? tableFile, FileInfo? fromFile, bool doCheck, Option<FileInfo?> model,
        Option<FileInfo?> spaceFile, Option<int[]> batches, Option<int> repeats, Option<int> warmup, Option<int> count, Option<int> seed, LatencyPath latencyPath)
    {
        var (space, logMel, clipSeconds, what) = Space(parse.GetValue(model), parse.GetValue(spaceFile));
        var batchSizes = parse.GetValue(batches) ?? [1];
        if (batchSizes.Length == 0 || batchSizes.Any(b => b < 1)) throw new ArgumentException("--batch sizes must be at least 1.");
        if (!batchSizes.Contains(1)) batchSizes = [1, .. batchSizes];
        var profiler = new LatencyProfiler(space, new LatencyProfilerOptions
        {
            Repeats = Positive(parse.GetValue(repeats), "--repeats"),
            Warmup = Math.Max(0, parse.GetValue(warmup)),
            BatchSizes = batchSizes,
            LogMel = logMel,
            ClipSeconds = clipSeconds,
            Path = latencyPath,
        });
        output.WriteLine(latencyPath == LatencyPath.Plan
            ? $"space: {what}; compiled inference plan, one thread"
            : $"space: {what}; autograd eval path, engine threads {WorkerPool.MaxThreads}");
        LatencyTable lookup;
        if (fromFile is not null && tableFile is null)
        {
            lookup = LatencyTable.Load(CliFiles.Existing(fromFile, "--from"));
            if (ArchSpace.FromJson(lookup.SpaceJson) != space) throw new ArgumentException($"--from: the table was measured for another space than {what}.");
            string wanted = latencyPath == LatencyPath.Plan ? LatencyTable.PlanPath : LatencyTable.EvalPath;
            if (lookup.Path != wanted) throw new ArgumentException($"--from: the table measured the {lookup.Path} path, --path is {wanted}.");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            output.WriteLine($"measuring {profiler.PartCount} parts at batch {string.Join(", ", batchSizes)} ...");
            lookup = profiler.BuildTable();
            output.WriteLine($"measured in {clock.Elapsed.TotalSeconds:F1} s; front end (log-mel per clip): {lookup.Ms(LatencyTable.FrontEndKey):F3} ms");
            if (tableFile is not null)
            {
                lookup.Save(tableFile.FullName);
                output.WriteLine($"wrote {tableFile.FullName}");
            }
        }
        output.WriteLine($"predicted network latency, batch 1: smallest {lookup.Predict(ArchConfig.Min(space)):F3} ms, largest {lookup.Predict(ArchConfig.Max(space)):F3} ms (front end {lookup.Ms(LatencyTable.FrontEndKey):F3} ms per clip on top)");
        if (doCheck) Check(output, profiler, lookup, space, Positive(parse.GetValue(count), "--count"), parse.GetValue(seed));
        return 0;
    }

    private static int Positive(int v, string name) => v >= 1 ? v : throw new ArgumentException($"{name} must be at least 1, got {v}.");

    private static void Check(TextWriter output, LatencyProfiler profiler, LatencyTable lookup, ArchSpace space, int count, int seed)
    {
        var rng = new Random(seed);
        var configs = Enumerable.Range(0, count).Select(_ => ArchSampling.Sample(space, rng)).ToList();
        output.WriteLine($"checking {count} random sub-networks (batch 1, network only):");
        output.WriteLine("    MACs   median: predicted  measured   error    min: predicted  measured   error");
        var rows = profiler.Check(lookup, configs);
        foreach (var r in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Macs / 1e6,6:F2}M  {r.PredictedMs,17:F3}  {r.MeasuredMs,8:F3}  {r.RelativeError * 100,6:F1}%  {r.PredictedMinMs,14:F3}  {r.MeasuredMinMs,8:F3}  {r.RelativeErrorOfMinima * 100,6:F1}%"));
        foreach (var statistic in new[] { LatencyStatistic.Median, LatencyStatistic.Min })
        {
            var s = LatencyProfiler.Summarize(rows, statistic);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"error of the {statistic.ToString().ToLowerInvariant()}s, |predicted - measured| / measured: median {s.MedianAbs * 100:F1}%, 90th percentile {s.P90Abs * 100:F1}%, max {s.MaxAbs * 100:F1}%; within 15%: {s.Within15 * 100:F0}% of {rows.Count}; mean signed {s.MeanSigned * 100:+0.0;-0.0}%"));
        }
    }

    private static (ArchSpace Space, LogMelOptions? LogMel, double? ClipSeconds, string What) Space(FileInfo? model, FileInfo? spaceFile)
    {
        if (model is not null && spaceFile is not null) throw new ArgumentException("give --model or --space, not both.");
        if (model is not null)
        {
            string path = CliFiles.Existing(model, "--model");
            var package = StaticNetworkFile.Load(path);
            var frontEnd = ModelFrontEnd.FromMetadata(package.FrontEnd, package.Network.Space);
            return (package.Network.Space, frontEnd.LogMel, frontEnd.ClipSeconds, $"the space of {path}");
        }
        if (spaceFile is not null)
        {
            string path = CliFiles.Existing(spaceFile, "--space");
            return (ArchSpace.Load(path), null, null, path);
        }
        var logMel = new LogMelOptions();
        int frames = new LogMelExtractor(logMel).FrameCount(logMel.SampleRate);
        var space = Pipelines.SpaceFactory.ForData(Pipelines.Experiment.ExperimentSettings.Demo().Training.WidthMultiplier, elasticResolution: true, logMel.MelBins, frames, 11);
        return (space, logMel, 1.0, $"the demo's (width x{space.WidthMultiplier}, {logMel.MelBins} mel bins x {frames} frames)");
    }
}
