using AecOfa.Engine;

namespace AecOfa.Nas.Training;

/// <summary>
/// The training set as the <see cref="Trainer"/> sees it: <see cref="Count"/> examples addressed by position. The
/// trainer owns the data order (it shuffles positions with its own seeded generator); the source only turns a list
/// of positions into one batch, so the trainer needs nothing from the audio side. The CLI adapts the feature cache.
/// </summary>
public interface ITrainingData
{
    /// <summary>Number of training examples (positions 0..Count-1).</summary>
    int Count { get; }

    /// <summary>
    /// Features (B, 1, mel bins, frames) at the front end's nominal resolution and multi-hot targets (B, classes) of
    /// the examples at <paramref name="positions"/>, in that order. <paramref name="augmentation"/> is a generator
    /// derived from (seed, step) for random augmentation, so that a resumed run draws the same augmentations.
    /// </summary>
    (Tensor Features, Tensor Targets) Batch(ReadOnlySpan<int> positions, Random augmentation);
}
