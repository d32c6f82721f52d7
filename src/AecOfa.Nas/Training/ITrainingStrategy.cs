using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// Decides which sub-networks one training step trains and with what targets, phase by phase; nothing else. The
/// <see cref="Trainer"/> runs the tasks on the same batch (concurrently on the host when it has threads to spare; a
/// student waits for the forward of the last earlier task marked <see cref="SubnetTask.IsTeacher"/>), sums their
/// gradients in plan order and makes one optimizer update.
/// </summary>
public interface ITrainingStrategy
{
    /// <summary>A stable name ("sandwich", "progressive", "standalone", ...).</summary>
    string Name { get; }

    /// <summary>Whether the tasks learn from a frozen teacher network that the trainer must be given.</summary>
    bool NeedsFrozenTeacher { get; }

    /// <summary>The phases of a run over <paramref name="space"/> whose options ask for <paramref name="epochs"/>
    /// epochs (single-phase strategies: one phase of that many epochs).</summary>
    IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs);

    /// <summary>The tasks of one step of <paramref name="phase"/>, sampling from <see cref="TrainingPhase.Space"/>.
    /// <paramref name="sampling"/> is derived from (seed, step) by the trainer, so a resumed run samples the same
    /// sub-networks.</summary>
    IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling);

    /// <summary>Every setting of the strategy that changes results (part of a run's identity).</summary>
    string Describe();
}
