using System.CommandLine;

namespace AecOfa.Cli;

/// <summary>The `aecofa` command: parses options, builds library objects, shows progress, writes files.</summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = Build();
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        var parsed = root.Parse(args);
        int code = parsed.Invoke(config);
        // Malformed or missing options are input errors like any other: exit code 2, not the parser's 1.
        return parsed.Errors.Count > 0 && code != 0 ? Commands.CliErrors.UsageOrInputError : code;
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("AecOfa: train one weight-sharing supernet for acoustic event classification, then search sub-networks for any compute budget.");
        foreach (var command in Commands.CommandCatalog.All()) root.Subcommands.Add(command);
        Commands.StrictNumbers.ApplyTo(root);
        return root;
    }
}
