using System.Globalization;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>Baseline 2 ("KD"): one fixed architecture trained on label loss + <see cref="DistillWeight"/> × the
/// distillation loss against a FROZEN teacher (the full network), whose outputs are computed without gradients and
/// whose weights are never updated.</summary>
public sealed class DistillationStrategy : ITrainingStrategy
{
    public const float DefaultDistillWeight = 1f;

    public DistillationStrategy(ArchConfig config, float distillWeight = DefaultDistillWeight)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        if (!(distillWeight > 0) || !float.IsFinite(distillWeight))
            throw new ArgumentOutOfRangeException(nameof(distillWeight), distillWeight, "must be a positive number");
        DistillWeight = distillWeight;
    }

    public ArchConfig Config { get; }
    public float DistillWeight { get; }

    public string Name => "kd";

    public bool NeedsFrozenTeacher => true;

    public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, ["network"])];

    public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) =>
        [new SubnetTask("network", Config, SubnetTarget.LabelsAndTeacher, IsTeacher: false, UseDropout: true, DistillWeight)];

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"kd({Config}, kd={DistillWeight:R})");
}
