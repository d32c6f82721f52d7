using System.CommandLine;
using AecOfa.Cli.Console;
using AecOfa.Pipelines.Latency;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa search RUN_DIR --budgets ...`: the best sub-network of a trained supernet per budget (<see cref="BudgetSearch"/>).</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var d = new BudgetSearchSettings();
        var run = new Argument<DirectoryInfo>("run") { Description = "A supernet run folder (from `aecofa train --strategy sandwich|progressive`)." };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets, e.g. 0.5,1,2,4.", Required = true };
        var unit = new Option<string>("--unit") { Description = "mmacs (millions of MACs per clip) or kparams (thousands of parameters).", DefaultValueFactory = _ => "mmacs" };
        unit.AcceptOnlyFromAmong("mmacs", "kparams");
        var strategy = new Option<string>("--strategy") { Description = "evolution (OFA's, with de-duplication) or random (same constraints and evaluation count).", DefaultValueFactory = _ => d.Strategy };
        strategy.AcceptOnlyFromAmong("evolution", "random");
        var population = new Option<int>("--population") { Description = "Population of the evolutionary search.", DefaultValueFactory = _ => d.Population };
        var generations = new Option<int>("--generations") { Description = "Generations after the initial population.", DefaultValueFactory = _ => d.Generations };
        var recalibration = new Option<int>("--recalibration-clips") { Description = "Training clips for each candidate's exact BN recalibration (search time grows with it).", DefaultValueFactory = _ => d.RecalibrationClips };
        var seed = new Option<int>("--seed") { Description = "Search seed.", DefaultValueFactory = _ => d.Seed };
        var maxLatency = new Option<double?>("--max-latency-ms") { Description = "Also limit the predicted latency per clip (ms, network only, batch 1, medians of --latency-table); applies with every budget." };
        var latencyTable = new Option<FileInfo?>("--latency-table") { Description = "Latency table of the target machine (from `aecofa latency --table T.json` for this run's space), for --max-latency-ms." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Where search.json, best_<budget>.json and search_front.png go (default RUN_DIR/search)." };
        var device = CliDevice.CreateOption();
        var command = new Command("search", "Search the best sub-network of a trained supernet for each compute budget (validation metric after exact BN recalibration); report the winners on test.")
        {
            run, budgets, unit, strategy, population, generations, recalibration, seed, maxLatency, latencyTable, output, device,
        };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var settings = new BudgetSearchSettings
            {
                Budgets = CliNumbers.ParseList(parse.GetValue(budgets)!, "--budgets"),
                Unit = parse.GetValue(unit) == "kparams" ? BudgetUnit.KParams : BudgetUnit.MMacs,
                Strategy = parse.GetValue(strategy)!,
                Population = parse.GetValue(population),
                Generations = parse.GetValue(generations),
                RecalibrationClips = parse.GetValue(recalibration),
                Seed = parse.GetValue(seed),
                MaxLatencyMs = parse.GetValue(maxLatency),
                LatencyPredictor = parse.GetValue(latencyTable) is { } table ? LoadTable(table) : null,
            };
            settings.Validate();
            var log = parse.InvocationConfiguration.Output;
            var observer = new RunObserver { Log = log, Progress = (label, u) => new ProgressReporter(label, u) };
            var trained = TrainedRun.Open(parse.GetValue(run)!.FullName);
            using var data = trained.OpenData(log);
            var supernet = trained.LoadSupernet();
            if (settings.LatencyPredictor is { } predictor && !predictor.Space.Equals(supernet.Space))
                throw new ArgumentException($"--latency-table: {predictor.Describe()} was measured for another space than this run's; run `aecofa latency --table T.json --space {Path.Combine(trained.Folder, "space.json")}`.");
            var report = BudgetSearch.Run(supernet, data, settings, observer, ct, CliDevice.Resolve(parse.GetValue(device)!, observer.Log));
            string folder = parse.GetValue(output)?.FullName ?? Path.Combine(trained.Folder, "search");
            BudgetSearch.Write(report, folder, data.ClassNames);
            log.WriteLine($"wrote {Path.Combine(folder, BudgetSearch.ResultFile)}, {BudgetSearch.PlotFile} and best_<budget>.json ({report.Seconds:F0} s)");
            return 0;
        })));
        return command;
    }

    private static LatencyTablePredictor LoadTable(FileInfo file)
    {
        if (!file.Exists) throw new ArgumentException($"--latency-table: {file.FullName} does not exist.");
        try
        {
            return LatencyTablePredictor.Load(file.FullName);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ArgumentException($"--latency-table: {e.Message}", e);
        }
    }
}
