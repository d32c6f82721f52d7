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

    /// <summary>Trainer options that never change results: where and how often checkpoints go, resume itself, prefetching.</summary>
    public static readonly IReadOnlySet<string> IgnoredOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(TrainerOptions.CheckpointPath), nameof(TrainerOptions.Resume), nameof(TrainerOptions.CheckpointEverySteps),
        nameof(TrainerOptions.CheckpointInterval), nameof(TrainerOptions.PrefetchBatches), nameof(TrainerOptions.Threads),
    };

    public TrainingRunIdentity(Trainer trainer, IArchNetwork network, ITrainingStrategy strategy, FrozenTeacher? teacher, int examples, long totalSteps)
    {
        Settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["strategy"] = strategy.Describe(),
            ["phases"] = string.Join(" | ", trainer.Phases.Select(p => p.Describe())),
            ["network"] = network.Describe(),
            ["space"] = network.Space.ToJson(),
            ["teacher"] = teacher is null ? "none" : $"{teacher.Config} sha256 {teacher.Identity}",
            ["examples"] = examples.ToString(CultureInfo.InvariantCulture),
            ["total_steps"] = totalSteps.ToString(CultureInfo.InvariantCulture),
        };
        // Every other trainer option, by reflection: a setting added to TrainerOptions later cannot be forgotten here.
        foreach (var property in typeof(TrainerOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (IgnoredOptions.Contains(property.Name)) continue;
            Settings[KeyOf(property.Name)] = Format(property.GetValue(trainer.Options));
        }
    }

    /// <summary>The setting's name in checkpoints and messages: snake_case, with a few shorter names users know.</summary>
    internal static string KeyOf(string property) => property switch
    {
        nameof(TrainerOptions.PeakLearningRate) => "learning_rate",
        nameof(TrainerOptions.MinLearningRate) => "min_learning_rate",
        nameof(TrainerOptions.GradientClipValue) => "gradient_clip",
        nameof(TrainerOptions.DataIdentity) => "data",
        _ => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property),
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        float f => f.ToString("R", CultureInfo.InvariantCulture), // "0.1", not 0.10000000149011612
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

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
