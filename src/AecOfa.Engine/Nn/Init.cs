namespace AecOfa.Engine.Nn;

/// <summary>
/// Deterministic weight initialization from an explicit <see cref="Random"/> (same seed, same weights).
/// Conventions follow OFA's init_models('he_fout'): He-normal with fan-out for convolutions, uniform
/// +-1/sqrt(in) with zero bias for linear layers, gamma 1 and beta 0 for batch norm.
/// </summary>
public static class Init
{
    /// <summary>
    /// He (Kaiming) normal with fan-out: std = sqrt(2 / (Cout * KH * KW / groups)) for w (Cout, Cin/groups, KH, KW).
    /// Each input element feeds Cout/groups output channels, hence the division by groups (OFA's code omits it;
    /// pass groups: 1 to reproduce OFA exactly).
    /// </summary>
    public static void KaimingNormalFanOut(Tensor w, Random rng, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rng);
        ShapeUtil.RequireRank("KaimingNormalFanOut", "w", w, 4);
        if (groups < 1 || w.Shape[0] % groups != 0)
            throw new ArgumentException($"KaimingNormalFanOut: groups={groups} must divide the output channels of w {ShapeUtil.Format(w.Shape)}.", nameof(groups));
        double fanOut = (double)w.Shape[0] * w.Shape[2] * w.Shape[3] / groups;
        SeededRandom.FillNormal(rng, w.Span, 0f, (float)Math.Sqrt(2.0 / fanOut));
    }

    /// <summary>Uniform in [-1/sqrt(in), 1/sqrt(in)) for w (out, in), as OFA initializes linear layers.</summary>
    public static void LinearUniform(Tensor w, Random rng)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rng);
        ShapeUtil.RequireRank("LinearUniform", "w", w, 2);
        double bound = 1.0 / Math.Sqrt(w.Shape[1]);
        var s = w.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)((2 * rng.NextDouble() - 1) * bound);
    }

    /// <summary>N(mean, std^2) in index order (e.g. normal(0, 0.01) for a classifier).</summary>
    public static void Normal(Tensor w, Random rng, float mean, float std)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rng);
        SeededRandom.FillNormal(rng, w.Span, mean, std);
    }

    public static void Constant(Tensor t, float value)
    {
        ArgumentNullException.ThrowIfNull(t);
        t.Span.Fill(value);
    }
}
