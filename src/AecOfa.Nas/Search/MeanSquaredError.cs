using AecOfa.Engine;

namespace AecOfa.Nas.Search;

/// <summary>
/// Mean over all elements of (prediction − target)², as an autograd op: the engine has no regression loss (its
/// losses are classification ones). The target is a constant. Gradient: 2 (prediction − target) / n.
/// </summary>
internal static class MeanSquaredError
{
    public static Tensor Loss(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Numel != target.Numel || prediction.Numel == 0)
            throw new ArgumentException(
                $"MeanSquaredError: target has {target.Numel} values and prediction {prediction.Numel}; expected the same non-zero count", nameof(target));
        var p = prediction.Span;
        var t = target.Span;
        double sum = 0; // float64 in index order: deterministic
        for (int i = 0; i < p.Length; i++)
        {
            double d = p[i] - t[i];
            sum += d * d;
        }
        var loss = Tensor.Scalar((float)(sum / p.Length));
        return Autograd.Record(loss, "MeanSquaredError", new[] { prediction }, o =>
        {
            float scale = 2f * o.Grad!.Data[0] / prediction.Numel;
            var ps = prediction.Span;
            var ts = target.Span;
            var g = prediction.GradForAccumulate();
            for (int i = 0; i < g.Length; i++) g[i] += scale * (ps[i] - ts[i]);
        });
    }
}
