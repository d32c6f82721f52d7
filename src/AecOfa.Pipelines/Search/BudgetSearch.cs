using AecOfa.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Training;
using AtomicFile = AecOfa.Engine.IO.AtomicFile;

namespace AecOfa.Pipelines.Search;

/// <summary>What a budget counts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BudgetUnit>))]
public enum BudgetUnit
{
    /// <summary>Millions of multiply-accumulates per clip.</summary>
    MMacs,

    /// <summary>Thousands of parameters.</summary>
    KParams,
}

/// <summary>Settings of <see cref="BudgetSearch"/>.</summary>
public sealed record BudgetSearchSettings
{
    /// <summary>One search per budget, in <see cref="Unit"/>.</summary>
    public IReadOnlyList<double> Budgets { get; init; } = [1, 2, 4];

    public BudgetUnit Unit { get; init; } = BudgetUnit.MMacs;

    /// <summary>"evolution" (OFA's operators with de-duplication) or "random" (the same constraints and evaluation budget).</summary>
    public string Strategy { get; init; } = "evolution";

    /// <summary>Population and generations. OFA uses 100 x 500 with a predictor; measured fitness at this scale
    /// costs about a tenth of a second per sub-network, so the default searches ~290 distinct sub-networks per budget.</summary>
    public int Population { get; init; } = 32;

    public int Generations { get; init; } = 8;

    /// <summary>Training clips for each candidate's exact BN recalibration (the knob of search time).</summary>
    public int RecalibrationClips { get; init; } = 300;

    public int Seed { get; init; } = 1;

    /// <summary>Optional latency limit in ms, applied with every budget: only sub-networks whose
    /// <see cref="LatencyPredictor"/> predicts at most this are searched (a <see cref="LatencyConstraint"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaxLatencyMs { get; init; }

    /// <summary>The latency model for <see cref="MaxLatencyMs"/>, e.g. a <see cref="Latency.LatencyTablePredictor"/>
    /// from `aecofa latency --table T.json` measured on the target machine. Not serialized.</summary>
    [JsonIgnore]
    public ILatencyPredictor? LatencyPredictor { get; init; }

    public void Validate()
    {
        if (Budgets is null || Budgets.Count == 0) throw new ArgumentException("--budgets: give at least one budget, e.g. 0.5,1,2.");
        foreach (double b in Budgets)
            if (!(b > 0) || !double.IsFinite(b)) throw new ArgumentException($"--budgets: {b.ToString(CultureInfo.InvariantCulture)} is not a positive number.");
        if (Strategy is not ("evolution" or "random")) throw new ArgumentException($"--strategy = {Strategy}: must be evolution or random.");
        if (Population < 8) throw new ArgumentException($"--population = {Population}: must be >= 8 (a quarter of it are the parents, and crossover needs two).");
        if (Generations < 0) throw new ArgumentException($"--generations = {Generations}: must be >= 0.");
        if (RecalibrationClips < 1) throw new ArgumentException($"--recalibration-clips = {RecalibrationClips}: must be >= 1.");
        if (MaxLatencyMs is { } ms && (!(ms > 0) || !double.IsFinite(ms)))
            throw new ArgumentException($"--max-latency-ms = {ms.ToString(CultureInfo.InvariantCulture)}: must be a positive number of milliseconds.");
        if (MaxLatencyMs is not null && LatencyPredictor is null)
            throw new ArgumentException("--max-latency-ms needs a latency model: give --latency-table T.json (from `aecofa latency --table`).");
        if (MaxLatencyMs is null && LatencyPredictor is not null)
            throw new ArgumentException("--latency-table is only used with --max-latency-ms: give the limit too.");
    }

    public long Limit(double budget) => Unit == BudgetUnit.MMacs ? (long)Math.Floor(budget * 1e6) : (long)Math.Floor(budget * 1e3);
}

/// <summary>The best sub-network found under one budget, with its validation (search) and test (reporting) metrics.</summary>
public sealed record BudgetWinner(double Budget, SearchCandidate Best, ClassificationReport Validation, ClassificationReport? Test, int Evaluations, double Seconds)
{
    /// <summary>The winner's predicted latency in ms when the search had a latency limit (<see cref="BudgetSearchSettings.MaxLatencyMs"/>).</summary>
    public double? PredictedLatencyMs { get; init; }
}

/// <summary>Everything a search produced.</summary>
public sealed record BudgetSearchReport(BudgetSearchSettings Settings, string Metric, IReadOnlyList<BudgetWinner> Winners, IReadOnlyList<SearchCandidate> Candidates, double Seconds);

/// <summary>
/// `aecofa search` as a library call: for each budget, the best sub-network of a trained supernet under a MACs or
/// parameter limit (and, with <see cref="BudgetSearchSettings.MaxLatencyMs"/>, a predicted-latency limit). Fitness is the headline metric on the VALIDATION split after exact BN recalibration on a fixed
/// subset of training clips, cached per architecture across budgets (a sub-network measured for one budget is never
/// measured again for the next); the winners alone are then scored on the TEST split, which the search never saw.
/// </summary>
public static class BudgetSearch
{
    public const string ResultFile = "search.json", PlotFile = "search_front.png";

    /// <summary>Searches per budget; recalibration and every evaluation run on <paramref name="device"/> (default the
    /// host; the supernet is moved there for the search and back to the host afterwards).</summary>
    public static BudgetSearchReport Run(OfaSupernet supernet, PreparedDataset data, BudgetSearchSettings settings, RunObserver? observer = null,
        CancellationToken cancellationToken = default, ComputeDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        if (device is null || device.IsCpu) return Search(supernet, data, settings, observer, cancellationToken);
        supernet.ToDevice(device);
        try { return Search(supernet, data, settings, observer, cancellationToken); }
        finally { supernet.ToDevice(ComputeDevice.Cpu); }
    }

    private static BudgetSearchReport Search(OfaSupernet supernet, PreparedDataset data, BudgetSearchSettings settings, RunObserver? observer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        observer ??= RunObserver.Silent;
        var clock = Stopwatch.StartNew();
        var space = supernet.Space;
        bool single = data.Task == Nas.Training.TaskKind.SingleLabel;
        Func<ClassificationReport, double> metric = single ? r => r.Top1Accuracy : r => r.MeanAveragePrecision;
        string metricName = single ? "top-1" : "mAP";
        var recalibrator = new BnRecalibrator(data.Recalibration, Math.Min(settings.RecalibrationClips, data.Train.Count), BnRecalibrator.DefaultBatchSize);
        var measured = new RecalibratedFitness(new SubnetEvaluator(supernet, recalibrator, data.Validation), metric, metricName);
        var fitness = new CachedFitness(measured);
        // Every evaluated config's full validation report, so a winner is never evaluated twice.
        var reports = new Dictionary<ArchConfig, ClassificationReport>();
        var testEvaluator = data.Test.Count > 0 ? new SubnetEvaluator(supernet, recalibrator, data.Test) : null;
        var costs = new SubnetCostCache(space);
        var evolution = new EvolutionSearchOptions { PopulationSize = settings.Population, Generations = settings.Generations };
        ISearchStrategy strategy = settings.Strategy == "random"
            ? new RandomSearch(RandomSearchOptions.MatchingBudget(evolution))
            : new EvolutionSearch(evolution);
        var latency = settings.MaxLatencyMs is { } maxMs ? new LatencyConstraint(settings.LatencyPredictor!, maxMs) : null;
        var winners = new List<BudgetWinner>();
        var all = new Dictionary<ArchConfig, SearchCandidate>();
        foreach (double budget in settings.Budgets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var budgetClock = Stopwatch.StartNew();
            long limit = settings.Limit(budget);
            IConstraint constraint = settings.Unit == BudgetUnit.MMacs ? new MacsConstraint(costs, limit) : new ParamsConstraint(costs, limit);
            IConstraint[] constraints = latency is null ? [constraint] : [constraint, latency];
            var bar = observer.Bar($"search {Format(budget)} {UnitName(settings.Unit)}", "sub-networks");
            var progress = bar is null ? null : new Progress<SearchProgress>(p => bar.Report((p.Evaluations, evolution.TotalEvaluations)));
            var result = strategy.Search(space, fitness, constraints, settings.Seed, progress, cancellationToken);
            foreach (var c in result.Candidates) all.TryAdd(c.Config, c);
            foreach (var e in measured.Evaluations) reports.TryAdd(e.Config, e.Report);
            var val = reports[result.Best.Config];
            var test = testEvaluator?.Evaluate(result.Best.Config).Report;
            winners.Add(new BudgetWinner(budget, result.Best, val, test, result.Evaluations, budgetClock.Elapsed.TotalSeconds)
            {
                PredictedLatencyMs = latency?.PredictMs(result.Best.Config),
            });
            observer.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"budget {Format(budget)} {UnitName(settings.Unit)}{(latency is null ? "" : $" and {latency.MaxMs:0.###} ms")}: {result.Best.Macs / 1e6:F2}M MACs, {result.Best.Params / 1e3:F1}K params{(latency is null ? "" : $", {latency.PredictMs(result.Best.Config):F3} ms predicted")}, val {metricName} {result.Best.Fitness:F4}{(test is null ? "" : $", test {metricName} {metric(test):F4}")}  [{result.Evaluations} candidates{(result.Exhausted ? ", every sub-network the budget admits" : "")}, {budgetClock.Elapsed.TotalSeconds:F0} s]  {result.Best.Config}"));
        }
        return new BudgetSearchReport(settings, metricName, winners, all.Values.ToList(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Writes search.json (winners, every evaluated candidate, the front), best_&lt;budget&gt;.json per
    /// budget (an ArchConfig for `aecofa extract` / `train --arch`) and search_front.png into <paramref name="folder"/>.</summary>
    public static void Write(BudgetSearchReport report, string folder, IReadOnlyList<string> classNames)
    {
        Directory.CreateDirectory(folder);
        var front = ParetoFront.Indices(report.Candidates.Select(c => ((double)c.Macs, c.Fitness)).ToList()).Select(i => report.Candidates[i]).OrderBy(c => c.Macs).ToList();
        var json = new
        {
            metric = report.Metric,
            unit = report.Settings.Unit,
            strategy = report.Settings.Strategy,
            population = report.Settings.Population,
            generations = report.Settings.Generations,
            recalibrationClips = report.Settings.RecalibrationClips,
            seed = report.Settings.Seed,
            maxLatencyMs = report.Settings.MaxLatencyMs,
            latencyModel = report.Settings.LatencyPredictor?.Describe(),
            seconds = report.Seconds,
            winners = report.Winners.Select(w => new
            {
                budget = w.Budget,
                macs = w.Best.Macs,
                @params = w.Best.Params,
                predictedLatencyMs = w.PredictedLatencyMs,
                validationFitness = w.Best.Fitness,
                evaluations = w.Evaluations,
                seconds = w.Seconds,
                archFile = ArchFileName(w.Budget),
                config = JsonDocument.Parse(w.Best.Config.ToJson()).RootElement,
                validation = TrainingRun.ReportJson(w.Validation, classNames),
                test = w.Test is null ? null : TrainingRun.ReportJson(w.Test, classNames),
            }),
            front = front.Select(c => new { macs = c.Macs, @params = c.Params, fitness = c.Fitness, config = c.Config.ToString() }),
            candidates = report.Candidates.Select(c => new { macs = c.Macs, @params = c.Params, fitness = c.Fitness, generation = c.Generation, config = c.Config.ToString() }),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, ResultFile), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        foreach (var w in report.Winners) w.Best.Config.Save(Path.Combine(folder, ArchFileName(w.Budget)));
        FrontPlot.Write(Path.Combine(folder, PlotFile), $"Search: validation {report.Metric} vs MACs ({report.Candidates.Count} sub-networks)", report.Metric,
        [
            new FrontPlot.Series("evaluated (val)", report.Candidates.Select(c => (c.Macs / 1e6, c.Fitness, 0.0)).ToList(), Line: false),
            new FrontPlot.Series("front (val)", front.Select(c => (c.Macs / 1e6, c.Fitness, 0.0)).ToList(), Line: true),
            new FrontPlot.Series("winners (test)", report.Winners.Where(w => w.Test is not null)
                .Select(w => (w.Best.Macs / 1e6, report.Metric == "top-1" ? w.Test!.Top1Accuracy : w.Test!.MeanAveragePrecision, 0.0)).ToList(), Line: false),
        ]);
    }

    public static string ArchFileName(double budget) => $"best_{Format(budget)}.json";

    public static string Format(double budget) => budget.ToString("0.###", CultureInfo.InvariantCulture);

    public static string UnitName(BudgetUnit unit) => unit == BudgetUnit.MMacs ? "M MACs" : "K params";
}
