using System.CommandLine;
using AecOfa.Nas.Space;

namespace AecOfa.Cli.Commands;

/// <summary>`aecofa space`: the size of the architecture space and the cost of its extreme sub-networks.</summary>
public static class SpaceCommand
{
    public static Command Create()
    {
        var spaceFile = new Option<FileInfo?>("--space") { Description = "An ArchSpace JSON file (default: the OFA MobileNetV3 space on 64x100 log-mels, 10 classes)." };
        var width = new Option<double?>("--width-multiplier") { Description = "Override the space's width multiplier (e.g. 0.5)." };
        var classes = new Option<int?>("--classes") { Description = "Override the number of classes." };
        var writeJson = new Option<FileInfo?>("--write-json") { Description = "Also write the (possibly overridden) space as JSON to this file, as a starting point for your own." };
        var command = new Command("space", "Print the architecture space: number of sub-networks, MACs and parameters of the smallest and largest.")
        {
            spaceFile, width, classes, writeJson,
        };
        command.SetAction(parse => CliErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var space = parse.GetValue(spaceFile) is { } f ? LoadSpace(f) : ArchSpace.Default;
            if (parse.GetValue(width) is { } w) space = space with { WidthMultiplier = w };
            if (parse.GetValue(classes) is { } c) space = space with { Classes = c };
            space.Validate();
            parse.InvocationConfiguration.Output.Write(SpaceSummary.Create(space).ToText());
            if (parse.GetValue(writeJson) is { } outFile)
            {
                space.Save(outFile.FullName);
                parse.InvocationConfiguration.Output.WriteLine($"wrote {outFile.FullName}");
            }
            return 0;
        }));
        return command;
    }

    private static ArchSpace LoadSpace(FileInfo file)
    {
        if (!file.Exists) throw new FileNotFoundException($"--space: file '{file.FullName}' does not exist.");
        return ArchSpace.Load(file.FullName);
    }
}
