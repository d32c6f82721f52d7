using System.Text.Json;
using System.Text.Json.Serialization;
using AecOfa.Pipelines.Search;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Experiment;

/// <summary>
/// The paper's protocol (METHOD.md §1) as settings: per seed, a full network (the teacher), one supernet, a search per
/// budget on validation, and for each searched architecture a from-scratch and a distilled baseline; optionally the
/// same two baselines for the width-scaled MobileNetV3 a person would pick at that budget.
///
/// Budget rule (documented in the report): every baseline trains for <see cref="BaselineEpochs"/> epochs (default:
/// the supernet's epochs plus the teacher's, i.e. as many epochs as the whole once-for-all pipeline took before its
/// search), with the same optimizer, schedule shape, batch size and augmentation as the supernet; the KD baseline
/// distills from the same frozen teacher as the supernet.
/// </summary>
public sealed record ExperimentSettings
{
    /// <summary>manifest.csv or its folder; null = the built-in synthetic dataset (generated into the output folder).</summary>
    public string? Manifest { get; init; }

    /// <summary>Synthetic dataset size when <see cref="Manifest"/> is null (validation and test get a quarter each).</summary>
    public int SyntheticTrainClips { get; init; } = 1200;

    /// <summary>Settings shared by every arm (data, width, optimizer, augmentation, ...); strategy, arch, teacher,
    /// epochs and seed are set per arm.</summary>
    public TrainingRunSettings Training { get; init; } = new() { Epochs = 10 };

    /// <summary>Sandwich (default) or progressive shrinking; both start from the teacher's weights and distill from
    /// it frozen. Why sandwich: on the built-in data at 10 epochs its smallest sub-network reached validation mAP
    /// 0.536 against 0.466 for progressive shrinking, whose phases get 1-2 epochs each at this length.</summary>
    public RunStrategy SupernetStrategy { get; init; } = RunStrategy.Sandwich;

    public int TeacherEpochs { get; init; } = 10;

    public int SupernetEpochs { get; init; } = 10;

    /// <summary>Epochs of each baseline; null = <see cref="TeacherEpochs"/> + <see cref="SupernetEpochs"/>.</summary>
    public int? BaselineEpochs { get; init; }

    public BudgetSearchSettings Search { get; init; } = new() { Budgets = [1, 2, 4], Population = 16, Generations = 5 };

    public IReadOnlyList<int> Seeds { get; init; } = [1];

    /// <summary>Also train scratch and KD for the width-scaled MobileNetV3 of each budget (separates search from optimization).</summary>
    public bool HumanBaselines { get; init; } = true;

    /// <summary>
    /// `aecofa demo`: a small experiment on the built-in synthetic data that fits in minutes on 2 cores — one seed,
    /// teacher and supernet (sandwich rule from the teacher) of <paramref name="epochs"/> epochs each, a search at
    /// 1 and 4 M MACs (the smallest sub-network has 0.70 M), and scratch / KD baselines of twice as many epochs for
    /// each searched architecture.
    /// </summary>
    public static ExperimentSettings Demo(int trainClips = 1200, int epochs = 10, double widthMultiplier = 0.25, int seed = 1,
        IReadOnlyList<double>? budgets = null, bool humanBaselines = false) => new()
    {
        SyntheticTrainClips = trainClips,
        Training = new TrainingRunSettings { Epochs = epochs, WidthMultiplier = widthMultiplier, Data = new Data.DatasetOptions { ClipSeconds = 1.0 } },
        TeacherEpochs = epochs,
        SupernetEpochs = epochs,
        Search = new BudgetSearchSettings { Budgets = budgets ?? [1, 4], Population = 16, Generations = 4, RecalibrationClips = 300 },
        Seeds = [seed],
        HumanBaselines = humanBaselines,
    };

    [JsonIgnore]
    public int EffectiveBaselineEpochs => BaselineEpochs ?? TeacherEpochs + SupernetEpochs;

    public void Validate()
    {
        if (Seeds is null || Seeds.Count == 0) throw new ArgumentException("--seeds: at least one seed.");
        if (SupernetStrategy is not (RunStrategy.Progressive or RunStrategy.Sandwich)) throw new ArgumentException($"--supernet = {SupernetStrategy}: must be progressive or sandwich.");
        if (SupernetEpochs is < 1 or > 10_000) throw new ArgumentException($"--epochs = {SupernetEpochs}: must be in 1..10000 (the supernet's epochs).");
        if (TeacherEpochs is < 1 or > 10_000) throw new ArgumentException($"--teacher-epochs = {TeacherEpochs}: must be in 1..10000.");
        if (EffectiveBaselineEpochs is < 1 or > 20_000) throw new ArgumentException($"--baseline-epochs = {EffectiveBaselineEpochs}: must be in 1..20000.");
        if (SyntheticTrainClips is < 16 or > 100_000) throw new ArgumentException($"--clips = {SyntheticTrainClips}: must be in 16..100000.");
        Search.Validate();
        // The shared training settings, as every arm will check them (strategy, arch and teacher are set per arm).
        (Training with { Manifest = Manifest ?? "(synthetic)", Strategy = RunStrategy.Full, Arch = null, Teacher = null }).Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrainingRunSettings.Json);

    /// <summary>Reads settings from a JSON file (the format of experiment.json; unknown fields are errors).</summary>
    public static ExperimentSettings Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentSettings>(File.ReadAllText(path), TrainingRunSettings.Json)
                ?? throw new FormatException("expected a JSON object, got null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }
}
