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
        var seed = StrictNumbers.Int("--seed", "Dataset seed: same seed, same dataset.", defaults.Seed);
        var train = StrictNumbers.Int("--train", "Training clips.", defaults.TrainClips);
        var val = StrictNumbers.Int("--val", "Validation clips.", defaults.ValidationClips);
        var test = StrictNumbers.Int("--test", "Test clips.", defaults.TestClips);
        var seconds = StrictNumbers.Double("--seconds", "Clip length in seconds.", defaults.ClipSeconds);
        var rate = StrictNumbers.Int("--sample-rate", "Sample rate in Hz.", defaults.SampleRate);
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
            ValidateNamingOptions(options);
            var result = Run(options, parse.GetValue(output)!.FullName);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {result.ClipCount} clips, {result.ManifestPath} and {result.ClassesPath}");
            return 0;
        }));
        return command;
    }

    /// <summary>The CLI option of each setting the command exposes.</summary>
    private static readonly Dictionary<string, string> OptionOf = new(StringComparer.Ordinal)
    {
        [nameof(SyntheticEventsOptions.Seed)] = "--seed",
        [nameof(SyntheticEventsOptions.TrainClips)] = "--train",
        [nameof(SyntheticEventsOptions.ValidationClips)] = "--val",
        [nameof(SyntheticEventsOptions.TestClips)] = "--test",
        [nameof(SyntheticEventsOptions.ClipSeconds)] = "--seconds",
        [nameof(SyntheticEventsOptions.SampleRate)] = "--sample-rate",
    };

    /// <summary>Validates the options, reporting a bad one on one line by its CLI option instead of the internal
    /// property ("--train: must be in [0, 536870912), got -1").</summary>
    internal static void ValidateNamingOptions(SyntheticEventsOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is { } name && OptionOf.TryGetValue(name, out string? option))
        {
            string first = e.Message.Split('\n')[0].Trim();
            int parameter = first.IndexOf(" (Parameter ", StringComparison.Ordinal);
            if (parameter >= 0) first = first[..parameter];
            int at = first.IndexOf(" must be ", StringComparison.Ordinal);
            string expected = (at >= 0 ? first[(at + 1)..] : first).TrimEnd('.');
            throw new ArgumentException(FormattableString.Invariant($"{option}: {expected}, got {e.ActualValue}."), e);
        }
    }

    internal static SyntheticWriteResult Run(SyntheticEventsOptions options, string outDir)
    {
        var dataset = new SyntheticEventsDataset(options);
        var bar = new ProgressReporter("synth", "clips");
        var progress = new InlineProgress<SyntheticWriteProgress>(p => bar.Report((p.Completed, p.Total)));
        return SyntheticDatasetWriter.Write(dataset, outDir, progress);
    }
}
