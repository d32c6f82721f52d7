using System.CommandLine;
using System.Text.Json;
using AecOfa.Cli.Console;
using AecOfa.Pipelines.Models;
using AecOfa.Pipelines.Training;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa eval MODEL --manifest M --split test` (<see cref="ModelFiles.Evaluate"/>): metrics with per-class results.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file (from `aecofa extract`, or model.safetensors of a standalone/kd run), or such a run folder." };
        var manifest = new Option<string>("--manifest") { Description = "manifest.csv (or its folder) with the model's classes.", Required = true };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "Print the metrics as JSON." };
        var device = CliDevice.CreateOption();
        var command = new Command("eval", "Evaluate a model file on a manifest split through its own front end: mAP, AUC, d' (and top-1, macro F1 for single-label data), per class.") { model, manifest, split, json, device };
        command.SetAction((parse, ct) => Task.FromResult(CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            string path = parse.GetValue(model)!;
            if (Directory.Exists(path)) path = Path.Combine(path, TrainingRun.ModelFile);
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model file not found (a supernet run has none: extract one with `aecofa extract`).", path);
            var output = parse.InvocationConfiguration.Output;
            var (report, classes) = ModelFiles.Evaluate(path, parse.GetValue(manifest)!, parse.GetValue(split)!, log: parse.GetValue(json) ? null : output,
                progress: new ProgressReporter("log-mel", "clips"), cancellationToken: ct,
                device: CliDevice.Resolve(parse.GetValue(device)!, parse.GetValue(json) ? null : output));
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(TrainingRun.ReportJson(report, classes), new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            output.WriteLine($"{parse.GetValue(split)}: {report.Examples} clips; {report}");
            output.WriteLine($"{"class",-24} {"AP",7} {"AUC",7}{(report.IsSingleLabel ? $" {"F1",7}" : "")}");
            for (int k = 0; k < classes.Count; k++)
                output.WriteLine($"{classes[k],-24} {report.AveragePrecisionPerClass[k],7:F4} {report.RocAucPerClass[k],7:F4}{(report.IsSingleLabel ? $" {report.F1PerClass[k],7:F4}" : "")}");
            return 0;
        })));
        return command;
    }
}
