using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Training;

/// <summary>
/// The supernet's training-mode forward with the dropout mask drawn from a generator the trainer passes in.
/// Why not <see cref="OfaSupernet.Forward"/>: its <c>Dropout</c> layer owns a private generator whose position cannot be
/// saved, so a resumed run would draw other masks. This runs the same layers (features, pool, feature mix +
/// h-swish, dropout, classifier — a test checks it equals <see cref="OfaSupernet.Forward"/> without dropout), with the
/// mask from a (seed, step)-derived stream, or no dropout at all for the sandwich rule's students.
/// </summary>
internal static class SupernetTrainingForward
{
    public static Tensor Logits(OfaSupernet supernet, Tensor x, ArchConfig config, Random? dropout)
    {
        var features = supernet.Features(x, config, null);
        var v = TensorOps.HardSwish(supernet.FeatureMix.Forward(TensorOps.GlobalAvgPool2d(features)));
        if (dropout is not null && supernet.IsTraining) v = TensorOps.Dropout(v, (float)supernet.Space.Dropout, dropout, training: true);
        return supernet.Classifier.Forward(v);
    }
}
