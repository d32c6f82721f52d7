using AecOfa.Audio.Datasets;

namespace AecOfa.Cli.Commands;

/// <summary>Shared argument checks of the deployment commands (export, predict, latency).</summary>
internal static class CliFiles
{
    public static string Existing(FileInfo? file, string what)
    {
        if (file is null) throw new ArgumentException($"{what}: a file is required.");
        if (!file.Exists) throw new FileNotFoundException($"{what}: file '{file.FullName}' does not exist.");
        return file.FullName;
    }

    /// <summary>Class names from a classes.txt (one per line), or null.</summary>
    public static IReadOnlyList<string>? ClassNames(FileInfo? file) =>
        file is null ? null : ClassList.Read(Existing(file, "--classes")).Names;
}
