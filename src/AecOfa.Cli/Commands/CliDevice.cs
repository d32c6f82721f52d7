using System.CommandLine;
using AecOfa.Engine;

namespace AecOfa.Cli.Commands;

/// <summary>The `--device cpu|cuda|auto` option of every training and evaluation command, and its resolution.</summary>
public static class CliDevice
{
    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where training and evaluation run: cpu (default), cuda (the first CUDA GPU through ILGPU; an error naming what was looked for when there is none) or auto (cuda when available, else cpu).",
            DefaultValueFactory = _ => "cpu",
        };
        option.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        return option;
    }

    /// <summary>The device the option names; a line on <paramref name="log"/> says which one when it is not the host.</summary>
    public static ComputeDevice Resolve(string option, TextWriter? log)
    {
        var device = ComputeDevice.FromOption(option);
        if (!device.IsCpu) log?.WriteLine($"device: {device.Name}");
        else if (option == "auto") log?.WriteLine("device: cpu (auto: no CUDA device found)");
        return device;
    }
}
