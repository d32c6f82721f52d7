using System.Globalization;
using System.Text;
using System.Text.Json;
using AecOfa.Pipelines.Search;
using AtomicFile = AecOfa.Engine.IO.AtomicFile;

namespace AecOfa.Pipelines.Experiment;

/// <summary>Mean and sample standard deviation of one arm at one budget over the seeds.</summary>
public sealed record ArmSummary(string Arm, double Budget, int Seeds, double Macs, double Params, double ValidationMean, double ValidationStd,
    double? TestMean, double? TestStd, double TrainSeconds);

/// <summary>
/// The experiment's report: report.md (a table per budget and a summary), report.json (every arm of every seed and
/// the summaries) and front.png (every arm's test metric vs MACs, mean ± std over seeds). Relative improvement in
/// the paper's convention: (OFA − baseline) / baseline, on the means over seeds; "wins" counts the seeds in which
/// OFA's test score is higher than the baseline's of the same seed.
/// </summary>
public static class ExperimentReportWriter
{
    public static IReadOnlyList<ArmSummary> Summarize(IReadOnlyList<ArmResult> arms) =>
        arms.Where(a => a.Budget > 0).GroupBy(a => (a.Arm, a.Budget))
            .OrderBy(g => g.Key.Budget).ThenBy(g => Array.IndexOf(ExperimentRun.ArmOrder, g.Key.Arm))
            .Select(g =>
            {
                var tests = g.Where(a => a.Test is not null).Select(a => a.Test!.Value).ToArray();
                return new ArmSummary(g.Key.Arm, g.Key.Budget, g.Count(), g.Average(a => a.Macs), g.Average(a => a.Params),
                    Mean(g.Select(a => a.Validation)), Std(g.Select(a => a.Validation)),
                    tests.Length > 0 ? Mean(tests) : null, tests.Length > 0 ? Std(tests) : null, g.Average(a => a.TrainSeconds));
            }).ToList();

    public static double Mean(IEnumerable<double> values) => values.Average();

    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public static double Std(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length < 2) return 0;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }

    /// <summary>(ours − baseline) / baseline.</summary>
    public static double RelativeImprovement(double ours, double baseline) => (ours - baseline) / baseline;

    /// <summary>Seeds in which OFA's test score beats the arm's, and seeds compared.</summary>
    public static (int Wins, int Seeds) PairedWins(IReadOnlyList<ArmResult> arms, string arm, double budget)
    {
        int wins = 0, seeds = 0;
        foreach (var ofa in arms.Where(a => a.Arm == "ofa" && a.Budget == budget && a.Test is not null))
        {
            var other = arms.FirstOrDefault(a => a.Arm == arm && a.Budget == budget && a.Seed == ofa.Seed && a.Test is not null);
            if (other is null) continue;
            seeds++;
            if (ofa.Test!.Value > other.Test!.Value) wins++;
        }
        return (wins, seeds);
    }

    public static void Write(ExperimentReport report, string folder)
    {
        var summaries = Summarize(report.Arms);
        AtomicFile.WriteAllText(Path.Combine(folder, ExperimentRun.ReportFile), Markdown(report, summaries));
        var json = new
        {
            metric = report.Metric,
            settings = JsonDocument.Parse(report.Settings.ToJson()).RootElement,
            seconds = report.Seconds,
            summaries,
            arms = report.Arms,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, ExperimentRun.ReportJsonFile), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        FrontPlot.Write(Path.Combine(folder, ExperimentRun.PlotFile), $"Test {report.Metric} vs MACs, mean ± std over {report.Settings.Seeds.Count} seed(s)", $"test {report.Metric}",
            ExperimentRun.ArmOrder.Select(arm => new FrontPlot.Series(arm,
                summaries.Where(s => s.Arm == arm && s.TestMean is not null).Select(s => (s.Macs / 1e6, s.TestMean!.Value, s.TestStd ?? 0)).ToList(), Line: true)).ToList());
    }

    private static string Markdown(ExperimentReport report, IReadOnlyList<ArmSummary> summaries)
    {
        var s = report.Settings;
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("# Once-for-all vs training each budget separately");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Data: `{s.Manifest}`; metric: test {report.Metric} (search on validation only); seeds: {string.Join(", ", s.Seeds)}; this invocation took {report.Seconds / 60:F1} min (arms finished earlier are read back, not retrained).");
        md.AppendLine(CultureInfo.InvariantCulture, $"Recipe: teacher (full network) {s.TeacherEpochs} epochs; supernet ({s.SupernetStrategy.ToString().ToLowerInvariant()}) {s.SupernetEpochs} epochs; every baseline {s.EffectiveBaselineEpochs} epochs (as many as teacher + supernet), same optimizer ({s.Training.Optimizer}, lr {s.Training.LearningRate.ToString(CultureInfo.InvariantCulture)}, cosine), batch {s.Training.BatchSize}, augmentation (SpecAugment {(s.Training.SpecAugment ? "on" : "off")}, mixup {s.Training.Mixup.ToString(CultureInfo.InvariantCulture)}), width x{s.Training.WidthMultiplier.ToString(CultureInfo.InvariantCulture)}; KD from the same frozen teacher (kd ratio {s.Training.KdRatio.ToString(CultureInfo.InvariantCulture)}).");
        md.AppendLine(CultureInfo.InvariantCulture, $"Search: {s.Search.Strategy}, population {s.Search.Population}, {s.Search.Generations} generations, BN recalibration on {s.Search.RecalibrationClips} training clips.");
        md.AppendLine();
        md.AppendLine("Arms: **ofa** = the searched sub-network with inherited weights (BN recalibrated, no retraining); **scratch** / **kd** = the same architecture trained alone without / with distillation; **human-scratch** / **human-kd** = the width-scaled MobileNetV3 that fits the budget (no search).");
        md.AppendLine();
        foreach (var budget in summaries.Select(x => x.Budget).Distinct())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Budget {BudgetSearch.Format(budget)} {BudgetSearch.UnitName(s.Search.Unit)}");
            md.AppendLine();
            md.AppendLine($"| arm | MACs | params | val {report.Metric} | test {report.Metric} (mean ± sd) | OFA rel. to it | OFA wins (seeds) | training s |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            var ofa = summaries.FirstOrDefault(x => x.Arm == "ofa" && x.Budget == budget);
            foreach (var a in summaries.Where(x => x.Budget == budget))
            {
                string rel = "", wins = "";
                if (a.Arm != "ofa" && ofa?.TestMean is { } o && a.TestMean is { } t)
                {
                    rel = RelativeImprovement(o, t).ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture);
                    var (w, n) = PairedWins(report.Arms, a.Arm, budget);
                    wins = $"{w}/{n}";
                }
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {a.Arm} | {a.Macs / 1e6:F2}M | {a.Params / 1e3:F1}K | {F(a.ValidationMean)} ± {F(a.ValidationStd)} | {(a.TestMean is { } tm ? $"{F(tm)} ± {F(a.TestStd ?? 0)}" : "-")} | {rel} | {wins} | {a.TrainSeconds:F0} |");
            }
            md.AppendLine();
        }
        md.AppendLine("## Summary");
        md.AppendLine();
        foreach (var arm in ExperimentRun.ArmOrder.Skip(1))
        {
            var pairs = summaries.Where(x => x.Arm == arm && x.TestMean is not null)
                .Select(x => (x.Budget, Base: x.TestMean!.Value, Ofa: summaries.FirstOrDefault(o => o.Arm == "ofa" && o.Budget == x.Budget)?.TestMean))
                .Where(p => p.Ofa is not null).ToList();
            if (pairs.Count == 0) continue;
            double meanRel = pairs.Average(p => RelativeImprovement(p.Ofa!.Value, p.Base));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- OFA vs {arm}: {meanRel.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)} relative on average over {pairs.Count} budget(s) ({string.Join(", ", pairs.Select(p => $"{BudgetSearch.Format(p.Budget)}: {RelativeImprovement(p.Ofa!.Value, p.Base).ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)}"))}).");
        }
        double ofaCost = report.Arms.Where(a => a.Arm == "ofa").Select(a => a.TrainSeconds).DefaultIfEmpty().Average();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Compute: OFA trains once for every budget (teacher + supernet: {ofaCost:F0} s per seed); each baseline arm trains once per budget ({string.Join(", ", ExperimentRun.ArmOrder.Skip(1).Select(a => (a, s: report.Arms.Where(x => x.Arm == a).Select(x => x.TrainSeconds).DefaultIfEmpty().Average())).Where(x => x.s > 0).Select(x => $"{x.a} {x.s:F0} s"))} per budget and seed).");
        return md.ToString();
    }
}
