using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Per-plane kernels of squeeze-excitation over data viewed as (planes = N*C, hw): global average pooling and the
/// backward pass of the per-plane scale, gx (+)= gy * s[p] and gs[p] += sum(gy * x) in ONE pass over gy and x.
/// Plane sums use four Vector256 float accumulators in a fixed order, the lanes combined in float64: deterministic
/// and independent of the thread count (threads split planes). Scalar references beside them.
/// </summary>
public static unsafe class PlaneKernels
{
    private const int MinParallelElements = ParallelChunks.MinParallelElements;

    /// <summary>dst[p] = mean of plane p (overwrites dst).</summary>
    public static void Means(ReadOnlySpan<float> x, int planes, int hw, Span<float> dst)
    {
        Check(x.Length, planes, hw);
        if (dst.Length < planes) throw new ArgumentException($"PlaneKernels.Means: dst has {dst.Length} elements, expected {planes}.");
        fixed (float* px = x, pd = dst)
            ParallelChunks.For(planes, 1, (long)planes * hw >= MinParallelElements ? 2 : int.MaxValue, &MeansRange, new(px, pd, i0: hw));
    }

    /// <summary>
    /// Backward of y = x * s[p]: when gx is not empty gx (+)= gy * s[p] (overwrites unless <paramref name="accumulate"/>);
    /// when gs is not empty gs[p] += sum over the plane of gy * x.
    /// </summary>
    public static void ScaleBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> s, ReadOnlySpan<float> gy, int planes, int hw,
        Span<float> gx, bool accumulate, Span<float> gs)
    {
        Check(x.Length, planes, hw);
        Check(gy.Length, planes, hw);
        if (!gx.IsEmpty) Check(gx.Length, planes, hw);
        if (s.Length < planes || (!gs.IsEmpty && gs.Length < planes))
            throw new ArgumentException($"PlaneKernels.ScaleBackward: s and gs need {planes} elements.");
        fixed (float* px = x, ps = s, pg = gy, pd = gx, pgs = gs)
            ParallelChunks.For(planes, 1, (long)planes * hw >= MinParallelElements ? 2 : int.MaxValue, &ScaleBackwardRange,
                new(px, pg, pd, pgs, i0: hw, flag: accumulate, extra: ps));
    }

    private static void Check(int length, int planes, int hw)
    {
        if (planes < 1 || hw < 1 || length < (long)planes * hw)
            throw new ArgumentException($"PlaneKernels: a span of {length} elements for planes={planes} hw={hw}.");
    }

    private static void MeansRange(in ParallelChunks.Args a, int p0, int p1)
    {
        int hw = a.I0;
        for (int p = p0; p < p1; p++) a.P1[p] = (float)(Sum(a.P0 + (long)p * hw, hw) / hw);
    }

    private static void ScaleBackwardRange(in ParallelChunks.Args a, int p0, int p1)
    {
        int hw = a.I0;
        bool acc = a.Flag;
        float* s = a.Extra;
        for (int p = p0; p < p1; p++)
        {
            float* x = a.P0 + (long)p * hw, g = a.P1 + (long)p * hw;
            if (a.P2 != null)
            {
                float* d = a.P2 + (long)p * hw;
                float sp = s[p];
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var vs = Vector256.Create(sp);
                    for (; i <= hw - 8; i += 8)
                    {
                        var v = Vector256.Load(g + i) * vs;
                        if (acc) v = Vector256.Load(d + i) + v;
                        Vector256.Store(v, d + i);
                    }
                }
                for (; i < hw; i++) d[i] = acc ? d[i] + g[i] * sp : g[i] * sp;
            }
            if (a.P3 != null) a.P3[p] += (float)Dot(g, x, hw);
        }
    }

    /// <summary>Sum of a plane: four Vector256 float accumulators, fixed order (float32 accuracy suffices for gradients).</summary>
    internal static double Sum(float* x, int n)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 32; i += 32)
            {
                a0 += Vector256.Load(x + i); a1 += Vector256.Load(x + i + 8);
                a2 += Vector256.Load(x + i + 16); a3 += Vector256.Load(x + i + 24);
            }
            for (; i <= n - 8; i += 8) a0 += Vector256.Load(x + i); // small planes (4x7, 8x13) stay vectorized
            s = LaneSum((a0 + a1) + (a2 + a3));
        }
        float t = 0;
        for (; i < n; i++) t += x[i];
        return s + t;
    }

    private static double Dot(float* a, float* b, int n)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 32; i += 32)
            {
                a0 += Vector256.Load(a + i) * Vector256.Load(b + i); a1 += Vector256.Load(a + i + 8) * Vector256.Load(b + i + 8);
                a2 += Vector256.Load(a + i + 16) * Vector256.Load(b + i + 16); a3 += Vector256.Load(a + i + 24) * Vector256.Load(b + i + 24);
            }
            for (; i <= n - 8; i += 8) a0 += Vector256.Load(a + i) * Vector256.Load(b + i);
            s = LaneSum((a0 + a1) + (a2 + a3));
        }
        float t = 0;
        for (; i < n; i++) t += a[i] * b[i];
        return s + t;
    }

    internal static double LaneSum(Vector256<float> v)
    {
        double s = 0;
        for (int l = 0; l < 8; l++) s += v.GetElement(l);
        return s;
    }

    /// <summary>Reference: plane means in float64.</summary>
    internal static void MeansSimple(ReadOnlySpan<float> x, int planes, int hw, Span<float> dst)
    {
        for (int p = 0; p < planes; p++) dst[p] = (float)(DeterministicSum.Sum(x.Slice(p * hw, hw)) / hw);
    }

    /// <summary>Reference: the scale backward with plain loops, dot products in float64.</summary>
    internal static void ScaleBackwardSimple(ReadOnlySpan<float> x, ReadOnlySpan<float> s, ReadOnlySpan<float> gy, int planes, int hw,
        Span<float> gx, bool accumulate, Span<float> gs)
    {
        for (int p = 0; p < planes; p++)
        {
            if (!gx.IsEmpty)
                for (int i = 0; i < hw; i++)
                {
                    float v = gy[p * hw + i] * s[p];
                    gx[p * hw + i] = accumulate ? gx[p * hw + i] + v : v;
                }
            if (!gs.IsEmpty) gs[p] += (float)DeterministicSum.Dot(gy.Slice(p * hw, hw), x.Slice(p * hw, hw));
        }
    }
}
