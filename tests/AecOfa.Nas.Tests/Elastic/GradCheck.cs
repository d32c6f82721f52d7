using AecOfa.Engine;

namespace AecOfa.Nas.Tests.Elastic;

/// <summary>Float64 reference helpers for the elastic-layer tests: closeness by relative error (max |a-b| / max |b|)
/// and gradients of a float64 loss by central differences.</summary>
internal static class GradCheck
{
    public const double ForwardTol = 1e-4, GradTol = 1e-3;

    public static double[] ToDouble(Tensor t) => Array.ConvertAll(t.Data, v => (double)v);

    public static void AssertClose(string what, double[] actual, double[] expected, double tol)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        // NaN compares false with everything: without these checks an op writing NaN everywhere would pass.
        for (int i = 0; i < expected.Length; i++)
        {
            if (!double.IsFinite(expected[i])) Assert.Fail($"{what}: expected value at {i} is {expected[i]} (not finite)");
            if (!double.IsFinite(actual[i])) Assert.Fail($"{what}: actual value at {i} is {actual[i]} (not finite)");
        }
        double maxErr = 0, maxRef = 0;
        int at = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            if (e > maxErr) { maxErr = e; at = i; }
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        Assert.True(maxRef > 0, $"{what}: reference is all zeros, the check would be vacuous");
        double rel = maxErr / maxRef;
        Assert.True(rel < tol, $"{what}: relative error {rel:E3} >= {tol:E1} (worst at {at}: {actual[at]} vs {expected[at]})");
    }

    /// <summary><see cref="AssertClose(string, double[], double[], double)"/> of a tensor, with its shape checked.</summary>
    public static void AssertClose(string what, Tensor actual, int[] expectedShape, double[] expected, double tol)
    {
        Assert.True(actual.Shape.SequenceEqual(expectedShape),
            $"{what}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expectedShape)}]");
        AssertClose(what, ToDouble(actual), expected, tol);
    }

    /// <summary>d loss / d values[j] for every j in <paramref name="coords"/> (all coordinates when null).</summary>
    public static double[] FiniteDifferences(Func<double> loss, double[] values, IEnumerable<int>? coords = null)
    {
        var g = new double[values.Length];
        foreach (int j in coords ?? Enumerable.Range(0, values.Length))
        {
            double keep = values[j], h = 1e-6 * Math.Max(1, Math.Abs(keep));
            values[j] = keep + h;
            double plus = loss();
            values[j] = keep - h;
            double minus = loss();
            values[j] = keep;
            g[j] = (plus - minus) / (2 * h);
            if (!double.IsFinite(g[j])) Assert.Fail($"finite difference at {j} is {g[j]} (loss {plus} / {minus})");
        }
        return g;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static Tensor Random(Random rng, bool requiresGrad, params int[] shape)
    {
        var t = Tensor.Uniform(rng, -1f, 1f, shape);
        t.RequiresGrad = requiresGrad;
        return t;
    }
}
