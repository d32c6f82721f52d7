using AecOfa.Engine;
using AecOfa.Engine.IO;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Static;

/// <summary>A loaded deployment file: the network (eval mode) and the caller's front-end settings.</summary>
public sealed record StaticNetworkPackage(StaticMbv3Network Network, IReadOnlyDictionary<string, string> FrontEnd);

/// <summary>
/// One safetensors file per extracted sub-network: the state dict under the network's parameter names, and in
/// __metadata__ the format tag, the ArchSpace JSON, the ArchConfig JSON, and the caller's front-end settings (an
/// opaque string map — log-mel parameters, normalization statistics — stored under "frontend.{key}").
/// Loading rebuilds the network from the two JSON documents (each validated) and refuses a file whose tensors do
/// not match that network exactly (every name, every shape, nothing extra) or whose parameter count disagrees
/// with <see cref="FlopsCounter"/>.
/// </summary>
public static class StaticNetworkFile
{
    public const string FormatKey = "aecofa.subnet.format";
    public const string FormatValue = "aecofa-subnet-1";
    public const string SpaceKey = "aecofa.subnet.space";
    public const string ConfigKey = "aecofa.subnet.config";
    public const string FrontEndPrefix = "frontend.";

    public static void Save(string path, StaticMbv3Network network, IReadOnlyDictionary<string, string>? frontEnd = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [SpaceKey] = network.Space.ToJson(),
            [ConfigKey] = network.Config.ToJson(),
        };
        if (frontEnd is not null)
        {
            foreach (var (k, v) in frontEnd)
            {
                if (string.IsNullOrEmpty(k)) throw new ArgumentException("Front-end settings: a key is empty.", nameof(frontEnd));
                meta[FrontEndPrefix + k] = v ?? throw new ArgumentException($"Front-end setting '{k}' is null.", nameof(frontEnd));
            }
        }
        SafetensorsFile.Write(path, network.StateDict(), meta);
    }

    public static StaticNetworkPackage Load(string path)
    {
        var content = SafetensorsFile.Read(path);
        string Meta(string key) => content.Metadata.TryGetValue(key, out var v) ? v
            : throw new FormatException($"{path}: metadata '{key}' is missing; not an extracted AecOfa sub-network file");
        string format = Meta(FormatKey);
        if (format != FormatValue) throw new FormatException($"{path}: metadata '{FormatKey}' = '{format}', this version reads '{FormatValue}'");
        ArchSpace space;
        ArchConfig config;
        try
        {
            space = ArchSpace.FromJson(Meta(SpaceKey));
            config = ArchConfig.FromJson(Meta(ConfigKey), space);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }

        var network = new StaticMbv3Network(space, config);
        var state = network.StateDict().ToList();
        var file = content.Tensors.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (name, t) in state)
        {
            if (!file.TryGetValue(name, out var f)) problems.Add($"missing '{name}'");
            else if (!f.Shape.AsSpan().SequenceEqual(t.Shape)) problems.Add($"'{name}' has shape ({string.Join(", ", f.Shape)}), expected ({string.Join(", ", t.Shape)})");
        }
        var expected = new HashSet<string>(state.Select(s => s.Name), StringComparer.Ordinal);
        problems.AddRange(file.Keys.Where(n => !expected.Contains(n)).Select(n => $"unexpected '{n}'"));
        if (problems.Count > 0)
            throw new FormatException($"{path}: tensors do not match the network of its ArchConfig ({config}): {string.Join("; ", problems)}");
        long counted = new FlopsCounter(space).Params(config);
        if (network.ParameterCount() != counted)
            throw new FormatException($"{path}: the rebuilt network has {network.ParameterCount()} parameters, FlopsCounter says {counted}");
        foreach (var (name, t) in state) t.CopyFrom(file[name].Span);
        network.Eval();

        var frontEnd = content.Metadata.Where(kv => kv.Key.StartsWith(FrontEndPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[FrontEndPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        return new StaticNetworkPackage(network, frontEnd);
    }
}
