using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>Baseline 1 ("scratch"): one fixed architecture trained on the labels, with dropout, from a fresh
/// initialization (the trainer is given a freshly built <see cref="Static.StaticMbv3Network"/> of it).</summary>
public sealed class StandaloneStrategy : ITrainingStrategy
{
    public StandaloneStrategy(ArchConfig config)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
    }

    public ArchConfig Config { get; }

    public string Name => "standalone";

    public bool NeedsFrozenTeacher => false;

    public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, ["network"])];

    public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling) =>
        [new SubnetTask("network", Config, SubnetTarget.Labels, IsTeacher: false, UseDropout: true)];

    public string Describe() => $"standalone({Config})";
}
