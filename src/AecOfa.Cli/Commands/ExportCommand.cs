using System.CommandLine;
using AecOfa.Nas.Export;
using AecOfa.Pipelines.Inference;
using AecOfa.Nas.Static;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa export MODEL --onnx OUT.onnx`: an extracted sub-network as an ONNX model (<see cref="OnnxExporter"/>).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "An extracted sub-network file (e.g. runs/demo/best_subnet.safetensors)." };
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Write the ONNX model here (opset 17; BN folded; input resampling inside; front end in metadata_props).", Required = true };
        var opset = new Option<int>("--opset") { Description = "ONNX opset to import (17 or newer).", DefaultValueFactory = _ => 17 };
        var frames = new Option<int?>("--frames") { Description = "Fix the input's frame count (default: symbolic 'frames'; any length runs)." };
        var classes = new Option<FileInfo?>("--classes") { Description = "A classes.txt (one name per line, output order) to store as the model's class names (metadata 'frontend.classes')." };
        var command = new Command("export", "Export an extracted sub-network as an ONNX model.") { model, onnx, opset, frames, classes };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = CliFiles.Existing(parse.GetValue(model), "model");
            var package = StaticNetworkFile.Load(path);
            var frontEnd = new Dictionary<string, string>(package.FrontEnd, StringComparer.Ordinal);
            if (CliFiles.ClassNames(parse.GetValue(classes)) is { } names)
            {
                if (names.Count != package.Network.Space.Classes)
                    throw new ArgumentException($"--classes names {names.Count} classes, the model has {package.Network.Space.Classes}.");
                frontEnd[ModelFrontEnd.ClassesKey] = ModelFrontEnd.ClassNamesJson(names);
            }
            string outPath = parse.GetValue(onnx)!.FullName;
            var summary = OnnxExporter.Export(package.Network, outPath, frontEnd, new OnnxExportOptions { Opset = parse.GetValue(opset), Frames = parse.GetValue(frames) });
            output.WriteLine($"wrote {outPath}: {summary.Bytes / 1024.0:F1} KiB, opset {summary.Opset}, {summary.Nodes} nodes ({string.Join(", ", summary.OperatorTypes)})");
            output.WriteLine($"input '{summary.InputName}' (batch, 1, {package.Network.Space.Input.MelBins}, frames): normalized log-mel; outputs {string.Join(", ", summary.OutputNames.Select(n => $"'{n}'"))} (batch, {package.Network.Space.Classes})");
            if (!frontEnd.ContainsKey(ModelFrontEnd.ClassesKey)) output.WriteLine("note: the model names no classes; pass --classes classes.txt to store them");
            return 0;
        }));
        return command;
    }
}
