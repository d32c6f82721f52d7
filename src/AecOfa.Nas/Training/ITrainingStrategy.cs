using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// Decides which sub-networks one training step trains and with what targets; nothing else. The <see cref="Trainer"/>
/// runs the tasks in order on the same batch, accumulates their gradients and makes one optimizer update.
/// </summary>
public interface ITrainingStrategy
{
    /// <summary>A stable name stored in checkpoints (resume refuses another strategy).</summary>
    string Name { get; }

    /// <summary>Role names of <see cref="Plan"/>'s tasks, the same every step (for logs and loss histories).</summary>
    IReadOnlyList<string> Roles { get; }

    /// <summary>The tasks of one step. <paramref name="sampling"/> is derived from (seed, step) by the trainer, so a
    /// resumed run samples the same sub-networks.</summary>
    IReadOnlyList<SubnetTask> Plan(ArchSpace space, Random sampling);
}
