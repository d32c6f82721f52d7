using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// The sandwich rule with in-place distillation (BigNAS, AttentiveNAS, AlphaNet; METHOD.md §2): every step trains
/// the largest sub-network on the labels, with dropout, and its detached sigmoid outputs become the teacher of the
/// smallest sub-network and of <see cref="RandomSubnets"/> random ones (OFA's per-gene uniform sampling), which run
/// without dropout.
/// </summary>
public sealed class SandwichStrategy : ITrainingStrategy
{
    public const int DefaultRandomSubnets = 2;

    private readonly string[] _roles;

    public SandwichStrategy(int randomSubnets = DefaultRandomSubnets)
    {
        if (randomSubnets < 0) throw new ArgumentOutOfRangeException(nameof(randomSubnets), randomSubnets, "must be >= 0");
        RandomSubnets = randomSubnets;
        _roles = ["largest", "smallest", .. Enumerable.Range(1, randomSubnets).Select(i => $"random{i}")];
    }

    public int RandomSubnets { get; }

    public string Name => $"sandwich(random={RandomSubnets})";

    public IReadOnlyList<string> Roles => _roles;

    public IReadOnlyList<SubnetTask> Plan(ArchSpace space, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(sampling);
        var tasks = new List<SubnetTask>(2 + RandomSubnets)
        {
            new("largest", ArchConfig.Max(space), SubnetTarget.Labels, IsTeacher: true, UseDropout: true),
            new("smallest", ArchConfig.Min(space), SubnetTarget.Teacher, IsTeacher: false, UseDropout: false),
        };
        for (int i = 0; i < RandomSubnets; i++)
            tasks.Add(new($"random{i + 1}", ArchSampling.Sample(space, sampling), SubnetTarget.Teacher, IsTeacher: false, UseDropout: false));
        return tasks;
    }
}
