using System.Collections.Immutable;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// One phase of a training run: its length, its learning rate relative to the run's peak rate (its own cosine
/// schedule with warm-up), the choice sets sub-networks are sampled from (<see cref="Space"/>: the network's space
/// with narrowed kernel/depth/expand/resolution sets), the roles of its tasks, and what happens at its start:
/// a channel sort (progressive shrinking's expand phases; null = none) and a reset of the optimizer's state.
/// Single-phase strategies have one phase named "main".
/// </summary>
public sealed record TrainingPhase(
    string Name,
    int Epochs,
    float LearningRateScale,
    ArchSpace Space,
    ImmutableArray<string> Roles,
    ImmutableArray<int>? SortTrainedExpandRatios = null,
    bool ResetOptimizer = false)
{
    /// <summary>Compact text for logs and run identities.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}: {Epochs} ep x{LearningRateScale:R} lr, k{{{string.Join(",", Space.KernelChoices)}}} d{{{string.Join(",", Space.DepthChoices)}}} e{{{string.Join(",", Space.ExpandChoices)}}} mel{{{string.Join(",", Space.Input.MelBinSet)}}} hop{{{string.Join(",", Space.Input.HopFactorSet)}}}, {string.Join("+", Roles)}") +
        (SortTrainedExpandRatios is { } sort ? $", sort after e{{{string.Join(",", sort)}}}" : "") + (ResetOptimizer ? ", fresh optimizer" : "");
}
