using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>Trains only the largest sub-network on the labels (OFA's first phase; also the "one static network" baseline).</summary>
public sealed class FullNetworkStrategy : ITrainingStrategy
{
    private static readonly string[] RoleNames = ["largest"];

    public string Name => "full-network";

    public IReadOnlyList<string> Roles => RoleNames;

    public IReadOnlyList<SubnetTask> Plan(ArchSpace space, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(space);
        return [new SubnetTask("largest", ArchConfig.Max(space), SubnetTarget.Labels, IsTeacher: false, UseDropout: true)];
    }
}
