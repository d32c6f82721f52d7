using AecOfa.Engine;

namespace AecOfa.Nas.Supernet;

/// <summary>Evaluation data: features (N, 1, mel bins, frames) at the nominal resolution with targets (N, classes)
/// in {0, 1} (multi-hot, or one-hot for single-label sets).</summary>
public interface ILabeledBatches
{
    IEnumerable<(Tensor Features, Tensor Targets)> Batches(int batchSize);
}
