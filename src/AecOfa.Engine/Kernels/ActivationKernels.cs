using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Element-wise activation kernels, forward and backward, as Vector256 loops with a scalar tail, split over the
/// <see cref="WorkerPool"/> in fixed 8192-element chunks (per-element results never depend on the thread count).
/// Each fast kernel performs the same float operations in the same order as its scalar reference beside it, so
/// they agree bit for bit. Backward kernels write gx (or add into it when <c>accumulate</c>), so a fresh gradient
/// buffer needs no clearing. Derivatives at kinks follow PyTorch (see TensorOps activations).
/// </summary>
public static unsafe class ActivationKernels
{
    private const int Grain = 8192, MinParallel = ParallelChunks.MinParallelElements;

    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        Same(x.Length, y.Length);
        fixed (float* px = x, py = y) ParallelChunks.For(x.Length, Grain, MinParallel, &ReluForwardRange, new(px, py));
    }

    /// <summary>gx (+)= x > 0 ? gy : 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gx, bool accumulate)
    {
        Same(x.Length, gy.Length); Same(x.Length, gx.Length);
        fixed (float* px = x, pg = gy, pd = gx) ParallelChunks.For(x.Length, Grain, MinParallel, &ReluBackwardRange, new(px, pg, pd, flag: accumulate));
    }

    /// <summary>y = x * (min(max(x + 3, 0), 6) / 6).</summary>
    public static void HardSwishForward(ReadOnlySpan<float> x, Span<float> y)
    {
        Same(x.Length, y.Length);
        fixed (float* px = x, py = y) ParallelChunks.For(x.Length, Grain, MinParallel, &HardSwishForwardRange, new(px, py));
    }

    /// <summary>gx (+)= x &lt; -3 ? 0 : x &lt;= 3 ? gy * (x/3 + 1/2) : gy.</summary>
    public static void HardSwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gx, bool accumulate)
    {
        Same(x.Length, gy.Length); Same(x.Length, gx.Length);
        fixed (float* px = x, pg = gy, pd = gx) ParallelChunks.For(x.Length, Grain, MinParallel, &HardSwishBackwardRange, new(px, pg, pd, flag: accumulate));
    }

    private static void Same(int a, int b)
    {
        if (a != b) throw new ArgumentException($"ActivationKernels: spans of {a} and {b} elements must have the same length.");
    }

    private static void ReluForwardRange(in ParallelChunks.Args a, int lo, int hi)
    {
        float* x = a.P0, y = a.P1;
        int i = lo;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= hi - 8; i += 8) Vector256.Store(Vector256.Max(Vector256.Load(x + i), Vector256<float>.Zero), y + i);
        for (; i < hi; i++) y[i] = ReluScalar(x[i]);
    }

    private static void ReluBackwardRange(in ParallelChunks.Args a, int lo, int hi)
    {
        float* x = a.P0, g = a.P1, d = a.P2;
        bool acc = a.Flag;
        int i = lo;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= hi - 8; i += 8)
            {
                var v = Vector256.BitwiseAnd(Vector256.Load(g + i), Vector256.GreaterThan(Vector256.Load(x + i), Vector256<float>.Zero));
                if (acc) v = Vector256.Load(d + i) + v;
                Vector256.Store(v, d + i);
            }
        for (; i < hi; i++) d[i] = acc ? d[i] + ReluGradScalar(x[i], g[i]) : ReluGradScalar(x[i], g[i]);
    }

    private static void HardSwishForwardRange(in ParallelChunks.Args a, int lo, int hi)
    {
        float* x = a.P0, y = a.P1;
        int i = lo;
        if (Vector256.IsHardwareAccelerated)
        {
            var three = Vector256.Create(3f);
            var six = Vector256.Create(6f);
            for (; i <= hi - 8; i += 8)
            {
                var v = Vector256.Load(x + i);
                var t = Vector256.Min(Vector256.Max(v + three, Vector256<float>.Zero), six) / six;
                Vector256.Store(t * v, y + i);
            }
        }
        for (; i < hi; i++) y[i] = HardSwishScalar(x[i]);
    }

    private static void HardSwishBackwardRange(in ParallelChunks.Args a, int lo, int hi)
    {
        float* x = a.P0, g = a.P1, d = a.P2;
        bool acc = a.Flag;
        int i = lo;
        if (Vector256.IsHardwareAccelerated)
        {
            var lowEdge = Vector256.Create(-3f);
            var highEdge = Vector256.Create(3f);
            var third = Vector256.Create(1f / 3f);
            var half = Vector256.Create(0.5f);
            for (; i <= hi - 8; i += 8)
            {
                var v = Vector256.Load(x + i);
                var gv = Vector256.Load(g + i);
                var inner = gv * (v * third + half);
                var r = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(v, highEdge), inner, gv);
                r = Vector256.BitwiseAnd(r, Vector256.GreaterThanOrEqual(v, lowEdge));
                if (acc) r = Vector256.Load(d + i) + r;
                Vector256.Store(r, d + i);
            }
        }
        for (; i < hi; i++) d[i] = acc ? d[i] + HardSwishGradScalar(x[i], g[i]) : HardSwishGradScalar(x[i], g[i]);
    }

    // Scalar references (also the vector loops' tails).
    internal static float ReluScalar(float v) => Math.Max(v, 0f);

    internal static float ReluGradScalar(float v, float g) => v > 0f ? g : 0f;

    internal static float HardSwishScalar(float v) => Math.Min(Math.Max(v + 3f, 0f), 6f) / 6f * v;

    internal static float HardSwishGradScalar(float v, float g) => v < -3f ? 0f : v <= 3f ? g * (v * (1f / 3f) + 0.5f) : g;
}
