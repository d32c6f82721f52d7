using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>What a sub-network of one training step learns from.</summary>
public enum SubnetTarget
{
    /// <summary>The labels (binary cross-entropy on the multi-hot targets).</summary>
    Labels,

    /// <summary>The detached sigmoid outputs of the step's teacher (in-place distillation, DistillationBce).</summary>
    Teacher,
}

/// <summary>
/// One sub-network trained in a step: its config, its target, whether its outputs become the step's teacher (then
/// its target must be <see cref="SubnetTarget.Labels"/> and it must come before every <see cref="SubnetTarget.Teacher"/>
/// task), and whether it runs with dropout (BigNAS/AttentiveNAS: only the largest keeps it).
/// <paramref name="Role"/> names it in logs and loss-guard errors ("largest", "smallest", "random1", ...).
/// </summary>
public sealed record SubnetTask(string Role, ArchConfig Config, SubnetTarget Target, bool IsTeacher, bool UseDropout);
