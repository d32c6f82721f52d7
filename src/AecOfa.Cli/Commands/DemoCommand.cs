using System.CommandLine;
using AecOfa.Cli.Console;
using AecOfa.Pipelines.Experiment;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa demo`: the paper's experiment in miniature on the built-in synthetic dataset
/// (<see cref="ExperimentSettings.Demo"/> run by <see cref="ExperimentRun"/>).</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var d = ExperimentSettings.Demo();
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (dataset, features, every run folder, report.md, report.json, front.png).", DefaultValueFactory = _ => new DirectoryInfo("runs/demo") };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of the teacher and of the supernet (the baselines get twice as many).", DefaultValueFactory = _ => d.SupernetEpochs };
        var clips = new Option<int>("--clips") { Description = "Training clips of the synthetic dataset (validation and test get a quarter each).", DefaultValueFactory = _ => d.SyntheticTrainClips };
        var width = new Option<double>("--width-multiplier") { Description = "Width multiplier of the OFA MobileNetV3 space.", DefaultValueFactory = _ => d.Training.WidthMultiplier };
        var seed = new Option<int>("--seed") { Description = "Training seed (weights, data order, sampled sub-networks, search); the dataset is always the same.", DefaultValueFactory = _ => d.Seeds[0] };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets in millions of MACs per clip.", DefaultValueFactory = _ => string.Join(",", d.Search.Budgets.Select(Pipelines.Search.BudgetSearch.Format)) };
        var threads = new Option<int>("--threads") { Description = "Engine threads for training steps (0 = measured: all cores or one, whichever is faster here).", DefaultValueFactory = _ => d.Training.Threads };
        var human = new Option<bool>("--human-baselines") { Description = "Also train the width-scaled MobileNetV3 of each budget (scratch and KD)." };
        var device = CliDevice.CreateOption();
        var command = new Command("demo", "The once-for-all experiment in miniature on the synthetic dataset: teacher, supernet (sandwich rule from the teacher), search per budget, scratch and KD baselines; prints the table and writes report.md. A rerun reuses everything already done.")
        {
            output, epochs, clips, width, seed, budgets, human, threads, device,
        };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var settings = ExperimentSettings.Demo(parse.GetValue(clips), parse.GetValue(epochs), parse.GetValue(width), parse.GetValue(seed),
                CliNumbers.ParseList(parse.GetValue(budgets)!, "--budgets"), parse.GetValue(human));
            settings = settings with { Training = settings.Training with { Threads = parse.GetValue(threads) } };
            var log = parse.InvocationConfiguration.Output;
            var report = ExperimentRun.Run(settings, parse.GetValue(output)!.FullName, new RunObserver { Log = log, Progress = (label, unit) => new ProgressReporter(label, unit) }, ct,
                CliDevice.Resolve(parse.GetValue(device)!, log));
            log.WriteLine();
            log.Write(File.ReadAllText(report.ReportPath));
            return 0;
        })));
        return command;
    }
}
