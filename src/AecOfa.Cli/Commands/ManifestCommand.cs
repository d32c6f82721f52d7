using System.CommandLine;
using AecOfa.Audio.Datasets.Converters;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa manifest`: builds manifest.csv + classes.txt from a public dataset's own layout.</summary>
public static class ManifestCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = $"Dataset layout: {string.Join(", ", ManifestConverters.Formats)}.",
            Required = true,
        };
        var root = new Option<DirectoryInfo>("--root") { Description = "The dataset's root folder.", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Where manifest.csv and classes.txt go (default: the root)." };
        var command = new Command("manifest", "Convert a dataset (ESC-50, UrbanSound8K, FSD50K, AudioSet, Speech Commands, FSDD, folder per class) into AecOfa's manifest format.")
        {
            format, root, output,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var rootDir = parse.GetValue(root)!;
            if (!rootDir.Exists) throw new DirectoryNotFoundException($"--root: folder '{rootDir.FullName}' does not exist.");
            var summary = ManifestConverters.Convert(parse.GetValue(format)!, rootDir.FullName, parse.GetValue(output)?.FullName);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"wrote {summary.ManifestPath} ({summary.EntryCount} clips, {summary.ClassCount} classes) and {summary.ClassesPath}");
            foreach (var (split, count) in summary.EntriesPerSplit) o.WriteLine($"  split {split}: {count} clips");
            string outDir = Path.GetDirectoryName(summary.ManifestPath)!;
            if (!string.Equals(Path.GetFullPath(outDir), rootDir.FullName.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
                o.WriteLine($"  note: the manifest's paths lead outside '{outDir}' (to the audio under '{rootDir.FullName}'); readers must allow paths outside the dataset folder (ManifestReadOptions.AllowPathsOutsideFolder)");
            if (summary.MissingCount > 0)
            {
                o.WriteLine($"  {summary.MissingCount} clip(s) listed by the dataset have no audio file and were left out, e.g.:");
                foreach (var m in summary.MissingFiles.Take(5)) o.WriteLine($"    {m}");
            }
            return 0;
        }));
        return command;
    }
}
