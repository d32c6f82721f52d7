using AecOfa.Engine;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>A small in-memory training set for the tiny supernet (random features, two labels per example).</summary>
internal sealed class TrainingTestData : ITrainingData
{
    public TrainingTestData(int count, int classes, int seed)
    {
        var rng = new Random(seed);
        Features = TinySupernet.Input(rng, count);
        Targets = Tensor.Zeros(count, classes);
        for (int i = 0; i < count; i++)
        {
            Targets[i, rng.Next(classes)] = 1f;
            Targets[i, (i * 3 + 1) % classes] = 1f;
        }
    }

    public Tensor Features { get; }

    public Tensor Targets { get; }

    public int Count => Features.Shape[0];

    public (Tensor Features, Tensor Targets) Batch(ReadOnlySpan<int> positions, Random augmentation)
    {
        int per = Features.Numel / Count, classes = Targets.Shape[1];
        var shape = (int[])Features.Shape.Clone();
        shape[0] = positions.Length;
        var x = Tensor.Zeros(shape);
        var y = Tensor.Zeros(positions.Length, classes);
        for (int i = 0; i < positions.Length; i++)
        {
            Features.Span.Slice(positions[i] * per, per).CopyTo(x.Span.Slice(i * per, per));
            Targets.Span.Slice(positions[i] * classes, classes).CopyTo(y.Span.Slice(i * classes, classes));
        }
        return (x, y);
    }
}
