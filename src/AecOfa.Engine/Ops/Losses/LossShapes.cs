namespace AecOfa.Engine.Ops;

/// <summary>Argument checks shared by the losses: (N, K) logits with N, K >= 1 and finite-valued targets.</summary>
internal static class LossShapes
{
    public static (int N, int K) RequireLogits(string loss, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ShapeUtil.RequireRank(loss, "logits", logits, 2);
        int n = logits.Shape[0], k = logits.Shape[1];
        if (n < 1 || k < 1)
            throw new ArgumentException($"{loss}: logits must have at least one row and one class, got shape {ShapeUtil.Format(logits.Shape)}.", nameof(logits));
        return (n, k);
    }

    /// <summary>Targets are probabilities: each in [0, 1] (NaN fails this check too).</summary>
    public static void RequireProbabilities(string loss, string argument, Tensor targets)
    {
        var t = targets.Span;
        for (int i = 0; i < t.Length; i++)
        {
            if (!(t[i] >= 0f && t[i] <= 1f))
                throw new ArgumentException($"{loss}: {argument}[{i / targets.Shape[1]}, {i % targets.Shape[1]}] = {t[i]} is not a probability in [0, 1].", argument);
        }
    }
}
