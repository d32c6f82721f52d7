using System.CommandLine;
using AecOfa.Audio.Synthetic;
using AecOfa.Audio.Synthetic.Dataset;
using AecOfa.Cli.Console;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa synth`: writes the built-in synthetic household-events dataset as WAV files plus a manifest.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticEventsOptions();
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (WAVs, manifest.csv, classes.txt).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Dataset seed: same seed, same dataset.", DefaultValueFactory = _ => defaults.Seed };
        var train = new Option<int>("--train") { Description = "Training clips.", DefaultValueFactory = _ => defaults.TrainClips };
        var val = new Option<int>("--val") { Description = "Validation clips.", DefaultValueFactory = _ => defaults.ValidationClips };
        var test = new Option<int>("--test") { Description = "Test clips.", DefaultValueFactory = _ => defaults.TestClips };
        var seconds = new Option<double>("--seconds") { Description = "Clip length in seconds.", DefaultValueFactory = _ => defaults.ClipSeconds };
        var rate = new Option<int>("--sample-rate") { Description = "Sample rate in Hz.", DefaultValueFactory = _ => defaults.SampleRate };
        var command = new Command("synth", "Generate the built-in synthetic household-events dataset (11 classes, multi-label, noisy and reverberant).")
        {
            output, seed, train, val, test, seconds, rate,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var options = defaults with
            {
                Seed = parse.GetValue(seed),
                TrainClips = parse.GetValue(train),
                ValidationClips = parse.GetValue(val),
                TestClips = parse.GetValue(test),
                ClipSeconds = parse.GetValue(seconds),
                SampleRate = parse.GetValue(rate),
            };
            var result = Run(options, parse.GetValue(output)!.FullName);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {result.ClipCount} clips, {result.ManifestPath} and {result.ClassesPath}");
            return 0;
        }));
        return command;
    }

    internal static SyntheticWriteResult Run(SyntheticEventsOptions options, string outDir)
    {
        var dataset = new SyntheticEventsDataset(options);
        var bar = new ProgressReporter("synth", "clips");
        var progress = new InlineProgress<SyntheticWriteProgress>(p => bar.Report((p.Completed, p.Total)));
        return SyntheticDatasetWriter.Write(dataset, outDir, progress);
    }
}
