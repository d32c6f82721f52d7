using System.CommandLine;
using AecOfa.Nas.Flops;
using AecOfa.Pipelines.Models;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa extract RUN_DIR --arch A|--budget B --out MODEL.safetensors` (<see cref="ModelFiles.Extract"/>).</summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("run") { Description = "A supernet run folder." };
        var arch = new Option<string?>("--arch") { Description = "ArchConfig JSON file, smallest or largest." };
        var budget = new Option<double?>("--budget") { Description = "Take the search winner of this budget (RUN_DIR/search/best_<budget>.json)." };
        var output = new Option<FileInfo>("--out") { Description = "Model file to write (safetensors with architecture and front end).", Required = true };
        var command = new Command("extract", "Extract one sub-network of a trained supernet (BN statistics recalibrated exactly) into a standalone model file.") { run, arch, budget, output };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var trained = TrainedRun.Open(parse.GetValue(run)!.FullName);
            var config = ModelFiles.ResolveArch(trained, parse.GetValue(arch), parse.GetValue(budget));
            string path = parse.GetValue(output)!.FullName;
            var network = ModelFiles.Extract(trained, config, path, log: parse.InvocationConfiguration.Output);
            var cost = new FlopsCounter(trained.Space).Count(config);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {path}: {config}, {cost.Macs / 1e6:F2}M MACs, {cost.Params / 1e3:F1}K params");
            return 0;
        })));
        return command;
    }
}
