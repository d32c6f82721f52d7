using AecOfa.Cli;

return CliApp.Run(args);
