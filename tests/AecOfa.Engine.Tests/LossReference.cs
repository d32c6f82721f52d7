namespace AecOfa.Engine.Tests;

/// <summary>
/// Naive float64 definitions of the losses (textbook formulas, no stabilizing tricks: use moderate logits)
/// and their analytic gradients, plus central finite differences to check those gradients.
/// </summary>
internal static class LossReference
{
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    public static double Bce(double[] x, double[] t)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += -(t[i] * Math.Log(Sigmoid(x[i])) + (1 - t[i]) * Math.Log(1 - Sigmoid(x[i])));
        return s / x.Length;
    }

    public static double[] BceGrad(double[] x, double[] t) => x.Select((xi, i) => (Sigmoid(xi) - t[i]) / x.Length).ToArray();

    public static double[] Softmax(double[] row, double temperature = 1)
    {
        var e = row.Select(v => Math.Exp(v / temperature)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double[] Row(double[] x, int r, int k) => x.Skip(r * k).Take(k).ToArray();

    public static double SoftmaxCe(double[] x, int n, int k, int[] labels, double eps)
    {
        double s = 0;
        for (int r = 0; r < n; r++)
        {
            var p = Softmax(Row(x, r, k));
            for (int j = 0; j < k; j++)
            {
                double q = eps / k + (j == labels[r] ? 1 - eps : 0);
                s -= q * Math.Log(p[j]);
            }
        }
        return s / n;
    }

    public static double[] SoftmaxCeGrad(double[] x, int n, int k, int[] labels, double eps)
    {
        var g = new double[x.Length];
        for (int r = 0; r < n; r++)
        {
            var p = Softmax(Row(x, r, k));
            for (int j = 0; j < k; j++) g[r * k + j] = (p[j] - (eps / k + (j == labels[r] ? 1 - eps : 0))) / n;
        }
        return g;
    }

    public static double Kl(double[] s, double[] t, int n, int k, double temp)
    {
        double sum = 0;
        for (int r = 0; r < n; r++)
        {
            var p = Softmax(Row(t, r, k), temp);
            var q = Softmax(Row(s, r, k), temp);
            for (int j = 0; j < k; j++) sum += p[j] * Math.Log(p[j] / q[j]);
        }
        return sum / n * temp * temp;
    }

    public static double[] KlGrad(double[] s, double[] t, int n, int k, double temp)
    {
        var g = new double[s.Length];
        for (int r = 0; r < n; r++)
        {
            var p = Softmax(Row(t, r, k), temp);
            var q = Softmax(Row(s, r, k), temp);
            for (int j = 0; j < k; j++) g[r * k + j] = temp * (q[j] - p[j]) / n;
        }
        return g;
    }

    /// <summary>Central differences of f at x, step h.</summary>
    public static double[] FiniteDifferences(Func<double[], double> f, double[] x, double h = 1e-5)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var xp = (double[])x.Clone();
            var xm = (double[])x.Clone();
            xp[i] += h;
            xm[i] -= h;
            g[i] = (f(xp) - f(xm)) / (2 * h);
        }
        return g;
    }

    /// <summary>max_i |a_i - b_i| / max(max_i |b_i|, floor): relative to the scale of the expected vector. Fails on a
    /// length mismatch and on any non-finite value.</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double floor = 1e-6)
    {
        Assert.True(actual.Length == expected.Length, $"{actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (!double.IsFinite(expected[i])) Assert.Fail($"expected value at {i} is {expected[i]} (not finite)");
            if (!double.IsFinite(actual[i])) Assert.Fail($"actual value at {i} is {actual[i]} (not finite)");
        }
        double scale = floor, err = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < expected.Length; i++) err = Math.Max(err, Math.Abs(actual[i] - expected[i]));
        return err / scale;
    }

    public static double[] ToDouble(float[] x) => x.Select(v => (double)v).ToArray();
}
