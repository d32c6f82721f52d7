using System.CommandLine;

namespace AecOfa.Cli.Commands;

/// <summary>Every subcommand of `aecofa`, in the order `--help` lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return TrainCommand.Create();
        yield return SearchCommand.Create();
        yield return ExperimentCommand.Create();
        yield return ExtractCommand.Create();
        yield return EvalCommand.Create();
        yield return SynthCommand.Create();
        yield return ManifestCommand.Create();
        yield return SpaceCommand.Create();
        yield return BenchCommand.Create();
        yield return GpuCheckCommand.Create();
        yield return ExportCommand.Create();
        yield return PredictCommand.Create();
        yield return LatencyCommand.Create();
    }
}
