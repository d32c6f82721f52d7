namespace AecOfa.Engine.Kernels;

/// <summary>
/// Reductions in float64 with a fixed summation order: four interleaved accumulators (element i goes to
/// accumulator i % 4, combined as (s0 + s1) + (s2 + s3), then the tail in index order). The order does not depend
/// on the machine's SIMD width, so results are bitwise reproducible; the four chains run in parallel in the CPU.
/// </summary>
public static class DeterministicSum
{
    public static double Sum(ReadOnlySpan<float> x)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i <= x.Length - 4; i += 4)
        {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < x.Length; i++) s += x[i];
        return s;
    }

    /// <summary>Sum of (x[i] - center)^2.</summary>
    public static double SumSquaredDeviations(ReadOnlySpan<float> x, double center)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i <= x.Length - 4; i += 4)
        {
            double d0 = x[i] - center, d1 = x[i + 1] - center, d2 = x[i + 2] - center, d3 = x[i + 3] - center;
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < x.Length; i++) { double d = x[i] - center; s += d * d; }
        return s;
    }

    /// <summary>Sum of a[i] * b[i].</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"DeterministicSum.Dot: lengths {a.Length} and {b.Length} differ.");
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i <= a.Length - 4; i += 4)
        {
            s0 += (double)a[i] * b[i]; s1 += (double)a[i + 1] * b[i + 1]; s2 += (double)a[i + 2] * b[i + 2]; s3 += (double)a[i + 3] * b[i + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>Sum of g[i] * (x[i] - center).</summary>
    public static double DotCentered(ReadOnlySpan<float> g, ReadOnlySpan<float> x, double center)
    {
        if (g.Length != x.Length) throw new ArgumentException($"DeterministicSum.DotCentered: lengths {g.Length} and {x.Length} differ.");
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i <= g.Length - 4; i += 4)
        {
            s0 += g[i] * (x[i] - center); s1 += g[i + 1] * (x[i + 1] - center);
            s2 += g[i + 2] * (x[i + 2] - center); s3 += g[i + 3] * (x[i + 3] - center);
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < g.Length; i++) s += g[i] * (x[i] - center);
        return s;
    }
}
