using AecOfa.Engine;

namespace AecOfa.Nas.Supernet;

/// <summary>
/// A FIXED subset of training features for BN recalibration: (N, 1, mel bins, frames) tensors at the front end's
/// nominal resolution. Every call must yield the same clips in the same order (the CLI adapts the audio feature
/// cache to this), so that two recalibrations of one config give identical statistics.
/// </summary>
public interface IFeatureBatches
{
    /// <summary>The first <paramref name="clips"/> clips of the subset (fewer if it is smaller) in batches of at most
    /// <paramref name="batchSize"/>.</summary>
    IEnumerable<Tensor> Batches(int clips, int batchSize);
}
