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
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            // One line per problem, naming the option it concerns (the parser's own text does not always say which).
            var err = config.Error;
            foreach (var e in parsed.Errors)
            {
                string? name = e.SymbolResult switch
                {
                    System.CommandLine.Parsing.OptionResult o => o.Option.Name,
                    System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option.Name,
                    _ => null,
                };
                bool named = name is not null && e.Message.Contains(name, StringComparison.Ordinal);
                string message = System.Text.RegularExpressions.Regex.Replace(e.Message, @"\s*\n\s*", " ");
                err.WriteLine($"aecofa: error: {(name is null || named ? "" : name + ": ")}{message}");
            }
            err.WriteLine($"aecofa: see 'aecofa {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(1))} --help'.");
            return Commands.CliErrors.UsageOrInputError;
        }
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
