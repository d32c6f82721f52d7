using System.Globalization;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Pipelines.Latency;

/// <summary>
/// A <see cref="LatencyTable"/> as the search's <see cref="ILatencyPredictor"/>: the sum of a sub-network's parts
/// (<see cref="LatencyTable.Predict"/>) at one batch size and statistic, with or without the front end. Use it in a
/// <see cref="LatencyConstraint"/>, or through <c>BudgetSearchSettings.MaxLatencyMs</c> / <c>aecofa search
/// --max-latency-ms X --latency-table T.json</c>.
/// </summary>
public sealed class LatencyTablePredictor : ILatencyPredictor
{
    public LatencyTablePredictor(LatencyTable table, int batch = 1, LatencyStatistic statistic = LatencyStatistic.Median,
        bool includeFrontEnd = false, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (!table.BatchSizes.Contains(batch))
            throw new ArgumentException($"{sourceName ?? "latency table"}: measured at batch {string.Join(", ", table.BatchSizes)}, not at batch {batch}", nameof(batch));
        try
        {
            Space = ArchSpace.FromJson(table.SpaceJson);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"{sourceName ?? "latency table"}: its space is not readable ({e.Message})", nameof(table), e);
        }
        Table = table;
        Batch = batch;
        Statistic = statistic;
        IncludeFrontEnd = includeFrontEnd;
        SourceName = sourceName ?? "latency table";
        // Fail now, naming the table, rather than in the middle of a search: every part a sub-network of the space
        // can be made of must be in the table at this batch size.
        var keys = new List<string>();
        if (includeFrontEnd) keys.Add(LatencyTable.FrontEndKey);
        foreach (int mel in Space.Input.MelBinSet)
            foreach (int hop in Space.Input.HopFactorSet)
            {
                keys.Add(LatencyTable.ResampleKey(mel, hop));
                keys.Add(LatencyTable.StemKey(mel, hop));
                keys.Add(LatencyTable.HeadKey(mel, hop));
                for (int st = 0; st < Space.StageCount; st++)
                    foreach (bool first in Space.MaxDepth > 1 ? new[] { true, false } : [true])
                        foreach (int k in Space.KernelChoices)
                            foreach (int e in Space.ExpandChoices)
                                keys.Add(LatencyTable.BlockKey(st, first, k, e, mel, hop));
            }
        foreach (string key in keys)
        {
            try
            {
                table.Ms(key, key == LatencyTable.FrontEndKey ? 1 : batch, statistic);
            }
            catch (KeyNotFoundException e)
            {
                throw new ArgumentException($"{SourceName}: incomplete for its space ({e.Message})", nameof(table), e);
            }
        }
    }

    /// <summary>Reads a table file written by <see cref="LatencyTable.Save"/> (e.g. `aecofa latency --table T.json`).</summary>
    public static LatencyTablePredictor Load(string path, int batch = 1, LatencyStatistic statistic = LatencyStatistic.Median, bool includeFrontEnd = false) =>
        new(LatencyTable.Load(path), batch, statistic, includeFrontEnd, path);

    public LatencyTable Table { get; }
    public ArchSpace Space { get; }
    public int Batch { get; }
    public LatencyStatistic Statistic { get; }
    public bool IncludeFrontEnd { get; }
    public string SourceName { get; }

    public double PredictMs(ArchConfig config) => Table.Predict(config, Batch, IncludeFrontEnd, Statistic);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{SourceName}, batch {Batch}, {(Statistic == LatencyStatistic.Median ? "medians" : "minima")}, {(IncludeFrontEnd ? "with the front end" : "network only")}");
}
