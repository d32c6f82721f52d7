using System.Globalization;
using AecOfa.Nas.Networks;

namespace AecOfa.Nas.Training;

/// <summary>
/// Every setting that changes a run's results, one entry per setting, stored in its checkpoints: resume compares
/// them entry by entry and names each difference. Derived from the whole resolved configuration — the trainer's
/// options, the strategy with its phases, the network (space and, for a fixed network, its config), the frozen
/// teacher's weights hash, the number of examples and the caller's data identity — so no such setting can be missed.
/// Deliberately left out (they never change results): the checkpoint path and frequency, resume itself, batch
/// prefetching and progress display.
/// </summary>
internal sealed class TrainingRunIdentity
{
    public const string Prefix = "train.";

    public TrainingRunIdentity(Trainer trainer, IArchNetwork network, ITrainingStrategy strategy, FrozenTeacher? teacher, int examples, long totalSteps)
    {
        var o = trainer.Options;
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture); // float: "0.1", not 0.10000000149011612
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        Settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["strategy"] = strategy.Describe(),
            ["phases"] = string.Join(" | ", trainer.Phases.Select(p => p.Describe())),
            ["network"] = network.Describe(),
            ["space"] = network.Space.ToJson(),
            ["teacher"] = teacher is null ? "none" : $"{teacher.Config} sha256 {teacher.Identity}",
            ["examples"] = examples.ToString(CultureInfo.InvariantCulture),
            ["total_steps"] = totalSteps.ToString(CultureInfo.InvariantCulture),
            ["data"] = o.DataIdentity,
            ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = o.Optimizer.ToString(),
            ["learning_rate"] = F(o.PeakLearningRate),
            ["min_learning_rate"] = F(o.MinLearningRate),
            ["warmup_epochs"] = D(o.WarmupEpochs),
            ["momentum"] = F(o.Momentum),
            ["weight_decay"] = F(o.WeightDecay),
            ["sum_over_classes"] = o.SumOverClasses ? "true" : "false",
            ["gradient_clip"] = F(o.GradientClipValue),
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["task"] = o.Task.ToString(),
            ["label_smoothing"] = F(o.LabelSmoothing),
            ["distill_temperature"] = F(o.DistillTemperature),
        };
    }

    public SortedDictionary<string, string> Settings { get; }

    /// <summary>The settings as checkpoint metadata entries ("train.{name}").</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata() => Settings.Select(kv => KeyValuePair.Create(Prefix + kv.Key, kv.Value));

    /// <summary>Every difference between this run and a checkpoint's metadata, worded for the user; empty when they match.</summary>
    public List<string> Differences(IReadOnlyDictionary<string, string> metadata)
    {
        var problems = new List<string>();
        foreach (var (name, expected) in Settings)
        {
            if (!metadata.TryGetValue(Prefix + name, out var found)) problems.Add($"'{name}' is missing");
            else if (found != expected)
                problems.Add(name is "space" ? "the search space differs" : $"{name} was '{Shorten(found)}', this run has '{Shorten(expected)}'");
        }
        return problems;
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
