using System.Text.Json;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Tests.Search;

/// <summary>BudgetSearch with <see cref="BudgetSearchSettings.MaxLatencyMs"/> on a tiny trained supernet: every
/// evaluated candidate and every winner is predicted under the limit, and search.json records it.</summary>
public sealed class LatencyLimitedSearchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-latency-search-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A fake latency model: 1 ms per million MACs plus 0.01 ms per active block.</summary>
    private sealed class MacsLatency(ArchSpace space) : ILatencyPredictor
    {
        private readonly FlopsCounter _counter = new(space);
        public ArchSpace Space { get; } = space;
        public double PredictMs(ArchConfig config) => _counter.Macs(config) / 1e6 + 0.01 * config.ActiveBlocks;
        public string Describe() => "fake MACs latency";
    }

    [Fact]
    public void Winners_and_candidates_are_predicted_under_the_limit()
    {
        string manifest = TinyDatasets.MultiLabel(Path.Combine(_dir, "data"), train: 12, val: 6, test: 6);
        var settings = new TrainingRunSettings
        {
            Manifest = manifest,
            Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 },
            WidthMultiplier = 0.1,
            Epochs = 1,
            BatchSize = 4,
            RecalibrationClips = 8,
        };
        string folder = Path.Combine(_dir, "run");
        TrainingRun.Run(settings, folder);
        var trained = TrainedRun.Open(folder);
        using var data = trained.OpenData();
        var supernet = trained.LoadSupernet();
        var predictor = new MacsLatency(supernet.Space);
        var rng = new Random(3);
        var sample = Enumerable.Range(0, 200).Select(_ => predictor.PredictMs(ArchSampling.Sample(supernet.Space, rng))).Order().ToArray();
        double limit = sample[sample.Length / 4];
        double macsBudget = 10 * new FlopsCounter(supernet.Space).Macs(ArchConfig.Max(supernet.Space)) / 1e6; // never binds
        var report = BudgetSearch.Run(supernet, data, new BudgetSearchSettings
        {
            Budgets = [macsBudget],
            Population = 8,
            Generations = 1,
            RecalibrationClips = 8,
            MaxLatencyMs = limit,
            LatencyPredictor = predictor,
        });
        Assert.All(report.Candidates, c => Assert.True(predictor.PredictMs(c.Config) <= limit, $"{c.Config}: {predictor.PredictMs(c.Config)} > {limit}"));
        var winner = Assert.Single(report.Winners);
        Assert.Equal(predictor.PredictMs(winner.Best.Config), winner.PredictedLatencyMs);
        Assert.True(winner.PredictedLatencyMs <= limit);

        BudgetSearch.Write(report, Path.Combine(_dir, "search"), data.ClassNames);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "search", BudgetSearch.ResultFile)));
        Assert.Equal(limit, json.RootElement.GetProperty("maxLatencyMs").GetDouble());
        Assert.Equal("fake MACs latency", json.RootElement.GetProperty("latencyModel").GetString());
        Assert.True(json.RootElement.GetProperty("winners")[0].GetProperty("predictedLatencyMs").GetDouble() <= limit);
    }
}
