using System.Globalization;
using System.Text.Json;
using AecOfa.Engine.IO;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Optim;

namespace AecOfa.Nas.Training;

/// <summary>
/// The trainer's checkpoint file: weights, BN statistics and optimizer state (<see cref="Checkpoint"/>, written
/// atomically), the run identity, the next global step, the finished epochs (with their validation metrics) and the
/// partial sums of the epoch in progress. The phase is not stored: it follows from the step and the run's phases,
/// which are part of the identity.
/// </summary>
internal sealed class TrainingCheckpoints
{
    private const string StepKey = TrainingRunIdentity.Prefix + "step";
    private const string HistoryKey = TrainingRunIdentity.Prefix + "history";
    private const string PartialKey = TrainingRunIdentity.Prefix + "partial_epoch";

    private readonly Module _module;
    private readonly Optimizer _optimizer;
    private readonly TrainingRunIdentity _identity;

    public TrainingCheckpoints(string path, Module module, Optimizer optimizer, TrainingRunIdentity identity)
    {
        Path = path;
        _module = module;
        _optimizer = optimizer;
        _identity = identity;
    }

    public string Path { get; }

    public bool Exists => File.Exists(Path);

    public void Save(TrainingProgressState state)
    {
        var meta = _identity.ToMetadata().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        meta[StepKey] = state.Step.ToString(CultureInfo.InvariantCulture);
        meta[HistoryKey] = JsonSerializer.Serialize(state.History.Select(h => new HistoryEntry(h.Epoch, h.Phase,
            new Dictionary<string, double>(h.MeanLoss, StringComparer.Ordinal), h.MeanTotal, h.LastLearningRate, h.Seconds,
            new Dictionary<string, double>(h.Validation, StringComparer.Ordinal), h.Threads)));
        meta[PartialKey] = JsonSerializer.Serialize(new PartialEpoch(state.RoleSums.Select(r => new RoleSum(r.Role, r.Sum)).ToList(),
            state.TotalSum, state.StepsInEpoch, state.LastLearningRate, state.CarriedSeconds));
        Checkpoint.Save(Path, _module, _optimizer, state.Step, meta);
    }

    /// <summary>Checks the run identity before touching the weights, then loads everything (all or nothing).</summary>
    public TrainingProgressState Load()
    {
        var meta = SafetensorsFile.Read(Path).Metadata;
        var problems = _identity.Differences(meta);
        if (problems.Count > 0)
            throw new CheckpointException(Path, $"belongs to another training run and cannot be resumed ({string.Join("; ", problems)}). Use the same settings, or delete it to start over.");
        var state = new TrainingProgressState();
        try
        {
            if (!meta.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step) || step < 0)
                throw new FormatException($"metadata '{StepKey}' is missing or not a step count");
            state.Step = step;
            var history = JsonSerializer.Deserialize<List<HistoryEntry>>(meta.GetValueOrDefault(HistoryKey, "[]")) ?? [];
            state.History.AddRange(history.Select(e => new EpochSummary(e.Epoch, e.MeanLoss, e.MeanTotal, e.LastLearningRate, e.Seconds)
            {
                Phase = e.Phase ?? "main",
                Validation = e.Validation ?? new Dictionary<string, double>(StringComparer.Ordinal),
                Threads = e.Threads ?? 0,
            }));
            if (meta.TryGetValue(PartialKey, out var partialJson) && JsonSerializer.Deserialize<PartialEpoch>(partialJson) is { } partial)
            {
                state.RoleSums.AddRange(partial.Roles.Select(r => (r.Role, r.Sum)));
                state.TotalSum = partial.Total;
                state.StepsInEpoch = partial.Steps;
                state.LastLearningRate = partial.LastLearningRate;
                state.CarriedSeconds = partial.Seconds;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new CheckpointException(Path, $"training progress metadata is unreadable: {e.Message}", inner: e);
        }
        Checkpoint.Load(Path, _module, _optimizer);
        return state;
    }

    private sealed record HistoryEntry(int Epoch, string? Phase, Dictionary<string, double> MeanLoss, double MeanTotal, float LastLearningRate, double Seconds,
        Dictionary<string, double>? Validation, int? Threads = null);

    private sealed record RoleSum(string Role, double Sum);

    private sealed record PartialEpoch(List<RoleSum> Roles, double Total, int Steps, float LastLearningRate, double Seconds);
}
