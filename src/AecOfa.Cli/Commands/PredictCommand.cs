using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AecOfa.Pipelines.Inference;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa predict MODEL FILE.wav...`: top classes per file (and per window for long files) with
/// <see cref="AudioClassifier"/> on this library's engine.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "An extracted sub-network file (e.g. runs/demo/best_subnet.safetensors)." };
        var files = new Argument<FileInfo[]>("files") { Description = "WAV files (any PCM/float format, channel count and sample rate).", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "Classes to show per file and window.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (every score of every window) instead of text." };
        var hop = new Option<double?>("--hop") { Description = "Hop between windows in seconds for files longer than the training clip (default: half a clip)." };
        var aggregate = new Option<string>("--aggregate") { Description = "Clip-level score from the windows: max (default) or mean.", DefaultValueFactory = _ => "max" };
        aggregate.AcceptOnlyFromAmong("max", "mean");
        var classes = new Option<FileInfo?>("--classes") { Description = "A classes.txt naming the outputs (default: the names in the model, else indices)." };
        var windows = new Option<bool>("--no-windows") { Description = "Text output: do not list the windows of long files." };
        var command = new Command("predict", "Classify WAV files with an extracted sub-network: top classes per file and per window.")
        {
            model, files, top, json, hop, aggregate, classes, windows,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            int k = parse.GetValue(top);
            if (k < 1) throw new ArgumentException($"--top must be at least 1, got {k}.");
            var options = new AudioClassifierOptions
            {
                HopSeconds = parse.GetValue(hop),
                Aggregation = parse.GetValue(aggregate) == "mean" ? WindowAggregation.Mean : WindowAggregation.Max,
                ClassNames = CliFiles.ClassNames(parse.GetValue(classes)),
            };
            var classifier = AudioClassifier.Load(CliFiles.Existing(parse.GetValue(model), "model"), options);
            var paths = parse.GetValue(files)!.Select(f => CliFiles.Existing(f, "audio")).ToArray();
            var results = paths.Select(classifier.Classify).ToList();
            k = Math.Min(k, classifier.ClassNames.Count);
            if (parse.GetValue(json)) output.WriteLine(Json(classifier, results, k));
            else Text(output, classifier, results, k, !parse.GetValue(windows));
            return 0;
        }));
        return command;
    }

    private static void Text(TextWriter output, AudioClassifier classifier, IReadOnlyList<ClassificationResult> results, int k, bool listWindows)
    {
        static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        if (!classifier.HasClassNames) output.WriteLine("note: the model names no classes; classes are shown by index (pass --classes classes.txt)");
        foreach (var r in results)
        {
            string agg = r.Windows.Count > 1 ? $", {r.Windows.Count} windows, {r.Aggregation.ToString().ToLowerInvariant()} over windows" : "";
            output.WriteLine($"{r.Source} ({F(r.DurationSeconds)} s{agg}): {Tops(r.Top(k))}");
            if (listWindows && r.Windows.Count > 1)
                foreach (var w in r.Windows) output.WriteLine($"  {F(w.StartSeconds)}-{F(w.EndSeconds)} s: {Tops(r.TopOf(w, k))}");
        }
    }

    private static string Tops(IEnumerable<ClassScore> scores) =>
        string.Join(", ", scores.Select(s => $"{s.Name} {s.Score.ToString("0.000", CultureInfo.InvariantCulture)}"));

    private static string Json(AudioClassifier classifier, IReadOnlyList<ClassificationResult> results, int k)
    {
        var doc = new
        {
            classes = classifier.ClassNames,
            class_names_from_model = classifier.HasClassNames,
            clip_seconds = classifier.FrontEnd.ClipSeconds,
            hop_seconds = (double)classifier.HopSamples / classifier.SampleRate,
            aggregation = classifier.Options.Aggregation.ToString().ToLowerInvariant(),
            files = results.Select(r => new
            {
                path = r.Source,
                duration_seconds = r.DurationSeconds,
                top = r.Top(k).Select(s => new { index = s.Index, name = s.Name, score = s.Score }),
                scores = r.Scores,
                windows = r.Windows.Select(w => new
                {
                    start_seconds = w.StartSeconds,
                    end_seconds = w.EndSeconds,
                    top = r.TopOf(w, k).Select(s => new { index = s.Index, name = s.Name, score = s.Score }),
                    scores = w.Scores,
                }),
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }
}
