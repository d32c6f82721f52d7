using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AecOfa.Nas.Space;

namespace AecOfa.Pipelines.Latency;

/// <summary>Which statistic of the repeated runs a prediction sums: the median (typical latency on this machine as
/// it is) or the minimum (closest to the uncontended cost when other processes share the cores).</summary>
public enum LatencyStatistic
{
    Median,
    Min,
}

/// <summary>
/// Measured latency of every part a sub-network of one space is built from, on one machine: the log-mel front end
/// per clip ("frontend"), and per resolution (mel bins m, hop factor h) the input resampling ("resample"), the stem
/// with the fixed first block ("stem"), every block variant ("block", by stage, first-or-later in its stage — which
/// fixes its input channels, stride and input shape —, kernel and expand ratio) and the head ("head"). The
/// predicted latency of a sub-network is the plain sum of its parts (<see cref="Predict"/>). Written as JSON.
/// </summary>
public sealed class LatencyTable
{
    public const string FormatValue = "aecofa-latency-table-1";

    [JsonPropertyName("format")] public string Format { get; init; } = FormatValue;

    /// <summary>The space the table was measured for (JSON).</summary>
    [JsonPropertyName("space")] public string SpaceJson { get; init; } = "";

    [JsonPropertyName("machine")] public string Machine { get; init; } = "";

    [JsonPropertyName("threads")] public int Threads { get; init; }

    [JsonPropertyName("warmup")] public int Warmup { get; init; }

    [JsonPropertyName("repeats")] public int Repeats { get; init; }

    /// <summary>What was measured: <see cref="PlanPath"/> (the compiled inference plan, one thread) or
    /// <see cref="EvalPath"/> (the autograd eval path; tables written before the plan existed have no field and read as this).</summary>
    [JsonPropertyName("path")] public string Path { get; init; } = EvalPath;

    public const string PlanPath = "plan", EvalPath = "eval";

    [JsonPropertyName("batch_sizes")] public int[] BatchSizes { get; init; } = [1];

    /// <summary>Part key → batch size (as text) → statistics.</summary>
    [JsonPropertyName("parts")] public Dictionary<string, Dictionary<string, LatencyStats>> Parts { get; init; } = new(StringComparer.Ordinal);

    public const string FrontEndKey = "frontend";

    public static string ResampleKey(int mel, int hop) => $"resample:m{mel}:h{hop}";

    public static string StemKey(int mel, int hop) => $"stem:m{mel}:h{hop}";

    public static string HeadKey(int mel, int hop) => $"head:m{mel}:h{hop}";

    public static string BlockKey(int stage, bool first, int kernel, int expand, int mel, int hop) =>
        $"block:s{stage + 1}:{(first ? "first" : "rest")}:k{kernel}:e{expand}:m{mel}:h{hop}";

    /// <summary>The parts of <paramref name="config"/>'s network, in execution order (without the front end).</summary>
    public static IReadOnlyList<string> NetworkParts(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int m = config.MelBins, h = config.HopFactor;
        var parts = new List<string> { ResampleKey(m, h), StemKey(m, h) };
        for (int s = 0; s < config.StageCount; s++)
            for (int b = 0; b < config.Depth(s); b++) parts.Add(BlockKey(s, b == 0, config.Kernel(s, b), config.Expand(s, b), m, h));
        parts.Add(HeadKey(m, h));
        return parts;
    }

    public double Ms(string part, int batch = 1, LatencyStatistic statistic = LatencyStatistic.Median)
    {
        if (!Parts.TryGetValue(part, out var byBatch)) throw new KeyNotFoundException($"latency table: no part '{part}'");
        return byBatch.TryGetValue(batch.ToString(CultureInfo.InvariantCulture), out var stats) ? stats.Get(statistic)
            : throw new KeyNotFoundException($"latency table: part '{part}' was not measured at batch {batch}");
    }

    /// <summary>Predicted latency in ms of <paramref name="config"/>'s network at <paramref name="batch"/> (sum of
    /// its parts' medians), plus the front end's per-clip latency times the batch when <paramref name="includeFrontEnd"/>.</summary>
    public double Predict(ArchConfig config, int batch = 1, bool includeFrontEnd = false, LatencyStatistic statistic = LatencyStatistic.Median)
    {
        double sum = NetworkParts(config).Sum(p => Ms(p, batch, statistic));
        if (includeFrontEnd) sum += Ms(FrontEndKey, 1, statistic) * batch;
        return sum;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static LatencyTable FromJson(string json, string sourceName = "latency table")
    {
        LatencyTable? table;
        try
        {
            table = JsonSerializer.Deserialize<LatencyTable>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{sourceName}: not a latency table ({e.Message})", e);
        }
        if (table is null || table.Format != FormatValue) throw new FormatException($"{sourceName}: format is not '{FormatValue}'");
        return table;
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static LatencyTable Load(string path) => FromJson(File.ReadAllText(path), path);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
