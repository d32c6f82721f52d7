using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>What a sub-network of one training step learns from.</summary>
public enum SubnetTarget
{
    /// <summary>The labels only.</summary>
    Labels,

    /// <summary>The step's teacher only: the detached outputs of an earlier task of the step marked
    /// <see cref="SubnetTask.IsTeacher"/> (in-place distillation), or else the trainer's frozen teacher.</summary>
    Teacher,

    /// <summary>Labels plus <see cref="SubnetTask.DistillWeight"/> × the distillation loss against the step's teacher
    /// (OFA's progressive shrinking and the KD baseline: loss = label loss + kd_ratio × KD loss).</summary>
    LabelsAndTeacher,
}

/// <summary>
/// One sub-network trained in a step: its config, its target, whether its outputs become the step's in-place teacher
/// (then its target must be <see cref="SubnetTarget.Labels"/> and it must come before the tasks that learn from it),
/// whether it runs with dropout (BigNAS/AttentiveNAS: only the largest keeps it), and the weight of the distillation
/// term for <see cref="SubnetTarget.LabelsAndTeacher"/>.
/// <paramref name="Role"/> names it in logs and loss-guard errors ("largest", "smallest", "random1", "subnet2", ...).
/// </summary>
public sealed record SubnetTask(string Role, ArchConfig Config, SubnetTarget Target, bool IsTeacher, bool UseDropout, float DistillWeight = 1f);
