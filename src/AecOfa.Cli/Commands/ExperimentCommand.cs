using System.CommandLine;
using AecOfa.Cli.Console;
using AecOfa.Pipelines.Experiment;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa experiment`: the paper's protocol end to end (<see cref="ExperimentRun"/>); `aecofa demo` is a small one.</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var d = new ExperimentSettings();
        var manifest = new Option<string?>("--manifest") { Description = "manifest.csv (or its folder); default: the built-in synthetic dataset." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Experiment folder (every arm's run folder, report.md, report.json, front.png).", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "JSON file of experiment settings (the format of OUT/experiment.json); command-line options override it." };
        var budgets = new Option<string?>("--budgets") { Description = $"Comma-separated budgets in millions of MACs (default {string.Join(",", d.Search.Budgets.Select(BudgetSearch.Format))})." };
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (1..N).", DefaultValueFactory = _ => d.Seeds.Count };
        var supernet = new Option<string>("--supernet") { Description = "sandwich or progressive (OFA's progressive shrinking); both start from the teacher and distill from it.", DefaultValueFactory = _ => "sandwich" };
        supernet.AcceptOnlyFromAmong("progressive", "sandwich");
        var teacherEpochs = new Option<int>("--teacher-epochs") { Description = "Epochs of the full network (teacher).", DefaultValueFactory = _ => d.TeacherEpochs };
        var supernetEpochs = new Option<int>("--supernet-epochs") { Description = "Epochs of the supernet.", DefaultValueFactory = _ => d.SupernetEpochs };
        var baselineEpochs = new Option<int?>("--baseline-epochs") { Description = "Epochs of each baseline (default: teacher + supernet epochs)." };
        var clips = new Option<int>("--clips") { Description = "Synthetic dataset: training clips (validation and test get a quarter each).", DefaultValueFactory = _ => d.SyntheticTrainClips };
        var width = new Option<double>("--width-multiplier") { Description = "Width multiplier of the space.", DefaultValueFactory = _ => d.Training.WidthMultiplier };
        var noHuman = new Option<bool>("--no-human-baselines") { Description = "Skip the width-scaled MobileNetV3 baselines." };
        var population = new Option<int>("--population") { Description = "Search population.", DefaultValueFactory = _ => d.Search.Population };
        var threads = new Option<int>("--threads") { Description = "Engine threads for training steps (0 = measured: all cores or one, whichever is faster here).", DefaultValueFactory = _ => d.Training.Threads };
        var generations = new Option<int>("--generations") { Description = "Search generations.", DefaultValueFactory = _ => d.Search.Generations };
        var device = CliDevice.CreateOption();
        var command = new Command("experiment", "The paper's experiment: teacher, supernet, search per budget, and scratch / KD baselines for the searched and the width-scaled architectures, over seeds; writes report.md, report.json and front.png. Resumable.")
        {
            manifest, output, config, budgets, seeds, supernet, teacherEpochs, supernetEpochs, baselineEpochs, clips, width, noHuman, population, generations, threads, device,
        };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            var s = parse.GetValue(config) is { } file ? ExperimentSettings.Load(file.FullName) : d;
            if (Given(manifest)) s = s with { Manifest = parse.GetValue(manifest) is { } m ? Path.GetFullPath(m) : null };
            if (Given(budgets)) s = s with { Search = s.Search with { Budgets = CliNumbers.ParseList(parse.GetValue(budgets)!, "--budgets") } };
            if (Given(seeds)) s = s with { Seeds = Enumerable.Range(1, Math.Max(0, parse.GetValue(seeds))).ToArray() };
            if (Given(supernet)) s = s with { SupernetStrategy = parse.GetValue(supernet) == "sandwich" ? RunStrategy.Sandwich : RunStrategy.Progressive };
            if (Given(teacherEpochs)) s = s with { TeacherEpochs = parse.GetValue(teacherEpochs) };
            if (Given(supernetEpochs)) s = s with { SupernetEpochs = parse.GetValue(supernetEpochs) };
            if (Given(baselineEpochs)) s = s with { BaselineEpochs = parse.GetValue(baselineEpochs) };
            if (Given(clips)) s = s with { SyntheticTrainClips = parse.GetValue(clips) };
            if (Given(width)) s = s with { Training = s.Training with { WidthMultiplier = parse.GetValue(width) } };
            if (Given(threads)) s = s with { Training = s.Training with { Threads = parse.GetValue(threads) } };
            if (Given(noHuman)) s = s with { HumanBaselines = !parse.GetValue(noHuman) };
            if (Given(population)) s = s with { Search = s.Search with { Population = parse.GetValue(population) } };
            if (Given(generations)) s = s with { Search = s.Search with { Generations = parse.GetValue(generations) } };
            var log = parse.InvocationConfiguration.Output;
            var report = ExperimentRun.Run(s, parse.GetValue(output)!.FullName, new RunObserver { Log = log, Progress = (label, unit) => new ProgressReporter(label, unit) }, ct,
                CliDevice.Resolve(parse.GetValue(device)!, log));
            log.WriteLine();
            log.Write(File.ReadAllText(report.ReportPath));
            return 0;
        })));
        return command;
    }
}
