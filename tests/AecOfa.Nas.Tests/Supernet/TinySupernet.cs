using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

/// <summary>A tiny space (2 stages, widths 8/16, 8 mel bins × 12 frames, elastic resolution) and helpers that give
/// every parameter and BN statistic non-trivial values, so equality tests cannot pass by accident.</summary>
internal static class TinySupernet
{
    public static readonly ArchSpace Space = new()
    {
        Input = new InputSpec { MelBins = 8, Frames = 12, MelBinChoices = [8, 6], HopFactorChoices = [1, 2] },
        StemWidth = 8,
        Stages = [new(8, 2, Activation.Relu, false), new(16, 1, Activation.Hswish, true)],
        MaxDepth = 3,
        KernelChoices = [3, 5, 7],
        ExpandChoices = [2, 3],
        DepthChoices = [1, 2, 3],
        FinalExpandWidth = 24,
        FeatureMixWidth = 32,
        Classes = 5,
    };

    public static OfaSupernet Build(int seed)
    {
        var net = new OfaSupernet(Space, seed);
        Randomize(net, new Random(seed + 1000));
        return net;
    }

    /// <summary>BN scales/shifts and running statistics random; kernel transforms perturbed away from the identity;
    /// biases random (they start at 0).</summary>
    public static void Randomize(Module net, Random rng)
    {
        foreach (var (name, p) in net.NamedParameters())
        {
            var s = p.Span;
            if (name.EndsWith("bn.weight", StringComparison.Ordinal))
                for (int i = 0; i < s.Length; i++) s[i] = 0.5f + (float)rng.NextDouble();
            else if (name.EndsWith(".bias", StringComparison.Ordinal) || name.EndsWith("bn.bias", StringComparison.Ordinal))
                for (int i = 0; i < s.Length; i++) s[i] = (float)(rng.NextDouble() - 0.5);
            else if (name.Contains("transform_", StringComparison.Ordinal))
                for (int i = 0; i < s.Length; i++) s[i] += (float)(0.2 * (rng.NextDouble() - 0.5));
        }
        foreach (var (name, b) in net.NamedBuffers())
        {
            var s = b.Span;
            bool isVar = name.EndsWith("running_var", StringComparison.Ordinal);
            for (int i = 0; i < s.Length; i++) s[i] = isVar ? 0.5f + (float)rng.NextDouble() : (float)(rng.NextDouble() - 0.5);
        }
    }

    public static Tensor Input(Random rng, int n, int mel = 8, int frames = 12) => Tensor.Uniform(rng, -2f, 2f, n, 1, mel, frames);

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        double m = 0;
        for (int i = 0; i < a.Numel; i++)
        {
            if (!float.IsFinite(a.Data[i]) || !float.IsFinite(b.Data[i])) Assert.Fail($"value at {i} is not finite: {a.Data[i]} vs {b.Data[i]}");
            m = Math.Max(m, Math.Abs(a.Data[i] - b.Data[i]));
        }
        return m;
    }

    /// <summary>A fixed in-memory subset of features for recalibration (same clips every call).</summary>
    public sealed class FixedFeatures(Tensor all) : IFeatureBatches
    {
        public Tensor All { get; } = all;

        public IEnumerable<Tensor> Batches(int clips, int batchSize)
        {
            int n = Math.Min(clips, All.Shape[0]);
            for (int start = 0; start < n; start += batchSize)
                yield return Engine.Ops.TensorOps.Slice(All, 0, start, Math.Min(batchSize, n - start));
        }
    }
}
