using System.Text.Json;
using System.Text.Json.Serialization;

namespace AecOfa.Nas.Space;

/// <summary>The one JSON dialect of the NAS files: camelCase names, enums as lower-case strings, indented,
/// unknown fields rejected.</summary>
internal static class NasJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };
}
