using System.Globalization;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// The sandwich rule (BigNAS, AttentiveNAS, AlphaNet; METHOD.md §2): every step trains the largest sub-network on the
/// labels, with dropout, then the smallest and <see cref="RandomSubnets"/> random ones (OFA's per-gene uniform
/// sampling) without dropout. The students learn from the step's teacher: by default the largest sub-network's
/// detached outputs (in-place distillation); with <see cref="UseFrozenTeacher"/> a separately trained, frozen full
/// network instead. <see cref="StudentTarget"/> chooses teacher-only (BigNAS) or labels + <see cref="DistillWeight"/>
/// × KD (OFA's student loss).
/// </summary>
public sealed class SandwichStrategy : ITrainingStrategy
{
    public const int DefaultRandomSubnets = 2;

    private readonly string[] _roles;

    public SandwichStrategy(int randomSubnets = DefaultRandomSubnets, SubnetTarget studentTarget = SubnetTarget.Teacher,
        float distillWeight = 1f, bool useFrozenTeacher = false)
    {
        if (randomSubnets < 0) throw new ArgumentOutOfRangeException(nameof(randomSubnets), randomSubnets, "must be >= 0");
        if (studentTarget == SubnetTarget.Labels)
            throw new ArgumentOutOfRangeException(nameof(studentTarget), studentTarget, "students learn from the teacher (Teacher or LabelsAndTeacher)");
        if (!(distillWeight > 0) || !float.IsFinite(distillWeight))
            throw new ArgumentOutOfRangeException(nameof(distillWeight), distillWeight, "must be a positive number");
        RandomSubnets = randomSubnets;
        StudentTarget = studentTarget;
        DistillWeight = distillWeight;
        UseFrozenTeacher = useFrozenTeacher;
        _roles = ["largest", "smallest", .. Enumerable.Range(1, randomSubnets).Select(i => $"random{i}")];
    }

    public int RandomSubnets { get; }
    public SubnetTarget StudentTarget { get; }
    public float DistillWeight { get; }
    public bool UseFrozenTeacher { get; }

    public string Name => "sandwich";

    public bool NeedsFrozenTeacher => UseFrozenTeacher;

    public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => [new("main", epochs, 1f, space, [.. _roles])];

    public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(sampling);
        var space = phase.Space;
        var tasks = new List<SubnetTask>(2 + RandomSubnets)
        {
            new("largest", ArchConfig.Max(space), SubnetTarget.Labels, IsTeacher: !UseFrozenTeacher, UseDropout: true),
            new("smallest", ArchConfig.Min(space), StudentTarget, IsTeacher: false, UseDropout: false, DistillWeight),
        };
        for (int i = 0; i < RandomSubnets; i++)
            tasks.Add(new($"random{i + 1}", ArchSampling.Sample(space, sampling), StudentTarget, IsTeacher: false, UseDropout: false, DistillWeight));
        return tasks;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"sandwich(random={RandomSubnets}, students={StudentTarget}, kd={DistillWeight:R}, teacher={(UseFrozenTeacher ? "frozen" : "in-place")})");
}
