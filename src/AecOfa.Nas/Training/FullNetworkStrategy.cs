using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>Trains only the largest sub-network on the labels (OFA's first phase: it becomes the frozen teacher and
/// the starting point of progressive shrinking).</summary>
public sealed class FullNetworkStrategy : ITrainingStrategy
{
    public string Name => "full";

    public bool NeedsFrozenTeacher => false;

    public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, ["largest"])];

    public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(phase);
        return [new SubnetTask("largest", ArchConfig.Max(phase.Space), SubnetTarget.Labels, IsTeacher: false, UseDropout: true)];
    }

    public string Describe() => Name;
}
