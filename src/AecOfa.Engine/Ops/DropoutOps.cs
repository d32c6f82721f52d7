using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

/// <summary>Inverted dropout.</summary>
public static partial class TensorOps
{
    /// <summary>
    /// Training: each element is kept with probability 1 - p (one rng.NextDouble() per element in index order,
    /// kept when >= p) and scaled by 1/(1 - p); p = 1 zeros everything. Not training, or p = 0: returns x itself.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, Random rng, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}.", nameof(p));
        if (!training || p == 0f) return x;
        float scale = p == 1f ? 0f : 1f / (1f - p);
        var mask = x.IsOnCpu ? Tensor.ForOp(false, x.Shape).Data : new float[x.Numel]; // scratch from the arena when one is active
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() >= p ? scale : 0f;
        if (!x.IsOnCpu) return DeviceOps.Dropout(x, mask);
        var y = Tensor.ForOp(false, x.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, mask, y.Span);
        return Autograd.Record(y, "Dropout", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(o.Grad!.Span, mask, gx, gx);
        });
    }
}
