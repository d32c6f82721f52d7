using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AecOfa.Engine.IO;

/// <summary>
/// The identity of a resolved configuration: a flat, ordinal-sorted set of "name = value" settings with a SHA-256
/// over them. Built from every setting that can change results (a whole options record via <see cref="FromObject"/>,
/// nested objects and arrays flattened to "a.b[0]"), minus the ones deliberately allowed to differ (progress
/// display, ...) named in <see cref="Without"/>. Numbers are written culture-invariantly and round-trip exactly, so
/// 0.1 and 0.10000000000000002 differ. Store <see cref="ToJson"/> with a checkpoint; on resume compare
/// <see cref="Hash"/> and report <see cref="Differences"/> by name.
/// </summary>
public sealed class ConfigurationIdentity
{
    private readonly SortedDictionary<string, string> _settings = new(StringComparer.Ordinal);

    /// <summary>Settings in ordinal name order.</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    public ConfigurationIdentity Add(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_settings.TryAdd(name, value ?? "null"))
            throw new ArgumentException($"Setting '{name}' is added twice.", nameof(name));
        return this;
    }

    public ConfigurationIdentity Add(string name, double value) => Add(name, value.ToString("R", CultureInfo.InvariantCulture));

    public ConfigurationIdentity Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    public ConfigurationIdentity Add(string name, bool value) => Add(name, value ? "true" : "false");

    /// <summary>Every public property of <paramref name="options"/> as serialized by System.Text.Json (nested objects
    /// and arrays flattened), each name prefixed with <paramref name="prefix"/> when given.</summary>
    public static ConfigurationIdentity FromObject<T>(T options, string? prefix = null, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var identity = new ConfigurationIdentity();
        identity.AddJson(prefix ?? "", JsonSerializer.SerializeToElement(options, json));
        return identity;
    }

    /// <summary>Adds a flattened JSON value (an object's properties as "prefix.name").</summary>
    public ConfigurationIdentity AddJson(string prefix, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject()) AddJson(prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}", p.Value);
                break;
            case JsonValueKind.Array:
                int i = 0;
                Add($"{prefix}.length", element.GetArrayLength());
                foreach (var item in element.EnumerateArray()) AddJson($"{prefix}[{i++}]", item);
                break;
            case JsonValueKind.String:
                Add(prefix, JsonSerializer.Serialize(element.GetString()));
                break;
            default:
                Add(prefix, element.GetRawText());
                break;
        }
        return this;
    }

    /// <summary>A copy without the named settings (and everything under them: "progress" also drops "progress.x").</summary>
    public ConfigurationIdentity Without(params string[] names)
    {
        var copy = new ConfigurationIdentity();
        foreach (var (k, v) in _settings)
            if (!names.Any(n => k == n || k.StartsWith(n + ".", StringComparison.Ordinal) || k.StartsWith(n + "[", StringComparison.Ordinal)))
                copy._settings[k] = v;
        return copy;
    }

    /// <summary>Lowercase hex SHA-256 of the canonical form (length-prefixed names and values, in ordinal order).</summary>
    public string Hash
    {
        get
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> length = stackalloc byte[4];
            foreach (var (k, v) in _settings)
                foreach (var s in new[] { k, v })
                {
                    var bytes = Encoding.UTF8.GetBytes(s);
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
                    hash.AppendData(length);
                    hash.AppendData(bytes);
                }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <summary>The settings as one JSON object of strings (for checkpoint metadata).</summary>
    public string ToJson() => JsonSerializer.Serialize(_settings);

    /// <summary>Parses <see cref="ToJson"/> output; throws <see cref="FormatException"/> when it is not an object of strings.</summary>
    public static ConfigurationIdentity FromJson(string json)
    {
        var identity = new ConfigurationIdentity();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("a configuration identity must be a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw new FormatException($"setting '{p.Name}' is not a string");
                identity.Add(p.Name, p.Value.GetString());
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a configuration identity: {e.Message}", e);
        }
        return identity;
    }

    /// <summary>"name: saved -> current" for every setting that differs, was added or was removed.</summary>
    public static IReadOnlyList<string> Differences(ConfigurationIdentity saved, ConfigurationIdentity current)
    {
        var result = new List<string>();
        foreach (var name in saved._settings.Keys.Union(current._settings.Keys).Order(StringComparer.Ordinal))
        {
            bool inSaved = saved._settings.TryGetValue(name, out var a), inCurrent = current._settings.TryGetValue(name, out var b);
            if (inSaved && inCurrent && a == b) continue;
            result.Add($"{name}: {(inSaved ? a : "(absent)")} -> {(inCurrent ? b : "(absent)")}");
        }
        return result;
    }
}
