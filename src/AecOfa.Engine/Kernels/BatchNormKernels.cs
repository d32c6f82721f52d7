using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Per-channel kernels of 2-D batch normalization over NCHW data viewed as (batch, channels, hw). The batch statistics
/// (mean, M2) are reduced in float64 (widened Vector256&lt;double&gt; accumulators), so that recalibration combines them
/// exactly across batches; the gradient sums add each (n, c) plane in float32 with four Vector256 accumulators in a fixed
/// lane order (at most hw/32 terms per lane) and the plane sums in float64 in batch order. All reductions are
/// deterministic and independent of the thread count (a channel's sums are always computed whole by one thread). Reductions
/// split over channels, element-wise passes over planes, on the <see cref="WorkerPool"/>. Backward writes or ADDS
/// into gx (<c>accumulate</c>). Scalar float64 references: BatchNormKernelsSimple.cs.
/// </summary>
public static unsafe partial class BatchNormKernels
{
    private const int MinParallelElements = ParallelChunks.MinParallelElements;

    /// <summary>Per-channel mean and M2 = sum of squared deviations from that mean (two passes: no cancellation).</summary>
    public static void ChannelMeanAndM2(ReadOnlySpan<float> x, int batch, int channels, int hw, Span<double> mean, Span<double> m2)
    {
        Check(x.Length, batch, channels, hw);
        if (mean.Length < channels || m2.Length < channels) throw new ArgumentException($"BatchNormKernels: mean/m2 need {channels} elements.");
        fixed (float* px = x)
        fixed (double* pm = mean, pq = m2)
            ParallelChunks.For(channels, 1, ParallelMin(batch, channels, hw), &MeanM2Range, new(px, i0: batch, i1: channels, i2: hw, d0: pm, d1: pq));
    }

    /// <summary>y = (x - center[c]) * scale[c] + shift[c] (overwrites y).</summary>
    public static void Normalize(ReadOnlySpan<float> x, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
        => Normalize(x, batch, channels, hw, center, scale, shift, y, FusedActivation.None);

    /// <summary>y = act((x - center[c]) * scale[c] + shift[c]) (overwrites y).</summary>
    public static void Normalize(ReadOnlySpan<float> x, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y, FusedActivation act)
    {
        Check(x.Length, batch, channels, hw);
        Check(y.Length, batch, channels, hw);
        fixed (float* px = x, py = y, pc = center, ps = scale, pb = shift)
        {
            if (hw <= SmallPlaneMaxHw)
            {
                NormalizeSmallPlanes(px, py, batch, channels, hw, pc, ps, pb, act);
                return;
            }
            var body = new AffineBody(px, null, py, pc, ps, null, pb, channels, hw, false, act: act);
            ParallelChunks.For(batch * channels, 1, ParallelMin(batch, channels, hw), &NormalizeRange, new((float*)&body));
        }
    }

    /// <summary>Per-channel float64 sums over batch and hw of dy and of dy * (x - center[c]).</summary>
    public static void GradientSums(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, Span<double> sumGy, Span<double> sumGyCentered)
        => GradientSums(x, gy, batch, channels, hw, center, sumGy, sumGyCentered, FusedActivation.None, default, default);

    /// <summary>
    /// As above for a batch norm followed by a fused activation: dy is first taken through the activation at the
    /// pre-activation z = (x - center[c]) * zScale[c] + zShift[c], recomputed here (bitwise as in the forward pass).
    /// </summary>
    public static void GradientSums(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, Span<double> sumGy, Span<double> sumGyCentered, FusedActivation act, ReadOnlySpan<float> zScale, ReadOnlySpan<float> zShift)
    {
        Check(x.Length, batch, channels, hw);
        Check(gy.Length, batch, channels, hw);
        if (sumGy.Length < channels || sumGyCentered.Length < channels) throw new ArgumentException($"BatchNormKernels: sums need {channels} elements.");
        CheckActivationCoefficients(act, zScale, zShift, channels);
        fixed (float* px = x, pg = gy, pc = center, pzs = zScale, pzb = zShift)
        fixed (double* s1 = sumGy, s2 = sumGyCentered)
        {
            var body = new AffineBody(px, pg, null, pc, null, null, null, channels, hw, false, act, pzs, pzb, batch, s1, s2);
            ParallelChunks.For(channels, 1, ParallelMin(batch, channels, hw), &GradientSumsRange, new((float*)&body));
        }
    }

    private static void CheckActivationCoefficients(FusedActivation act, ReadOnlySpan<float> zScale, ReadOnlySpan<float> zShift, int channels)
    {
        if (act != FusedActivation.None && (zScale.Length < channels || zShift.Length < channels))
            throw new ArgumentException($"BatchNormKernels: a fused {act} needs the normalization's scale and shift for {channels} channels.");
    }

    /// <summary>gx += gyScale[c] * gy + xScale[c] * (x - center[c]) + constant[c].</summary>
    public static void InputGradientAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> gyScale, ReadOnlySpan<float> xScale, ReadOnlySpan<float> constant, Span<float> gx)
        => InputGradient(x, gy, batch, channels, hw, center, gyScale, xScale, constant, gx, accumulate: true);

    /// <summary>gx (+)= gyScale[c] * gy + xScale[c] * (x - center[c]) + constant[c]; overwrites gx unless <paramref name="accumulate"/>.</summary>
    public static void InputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> gyScale, ReadOnlySpan<float> xScale, ReadOnlySpan<float> constant, Span<float> gx, bool accumulate)
        => InputGradient(x, gy, batch, channels, hw, center, gyScale, xScale, constant, gx, accumulate, FusedActivation.None, default, default);

    /// <summary>As above with dy first taken through a fused activation at z = (x - center[c]) * zScale[c] + zShift[c].</summary>
    public static void InputGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> gyScale, ReadOnlySpan<float> xScale, ReadOnlySpan<float> constant, Span<float> gx, bool accumulate,
        FusedActivation act, ReadOnlySpan<float> zScale, ReadOnlySpan<float> zShift)
    {
        Check(x.Length, batch, channels, hw);
        Check(gy.Length, batch, channels, hw);
        Check(gx.Length, batch, channels, hw);
        CheckActivationCoefficients(act, zScale, zShift, channels);
        fixed (float* px = x, pg = gy, pd = gx, pc = center, pa = gyScale, pk = xScale, pb = constant, pzs = zScale, pzb = zShift)
        {
            var body = new AffineBody(px, pg, pd, pc, pa, pk, pb, channels, hw, accumulate, act, pzs, pzb);
            if (hw <= SmallPlaneMaxHw)
            {
                InputGradientSmallPlanes(body, batch);
                return;
            }
            ParallelChunks.For(batch * channels, 1, ParallelMin(batch, channels, hw), &InputGradientRange, new((float*)&body));
        }
    }

    private static int ParallelMin(int batch, int channels, int hw)
        => (long)batch * channels * hw >= MinParallelElements ? 2 : int.MaxValue;

    private static void Check(int length, int batch, int channels, int hw)
    {
        if (batch < 1 || channels < 1 || hw < 1 || length < (long)batch * channels * hw)
            throw new ArgumentException($"BatchNormKernels: a span of {length} elements for batch={batch} channels={channels} hw={hw}.");
    }

    /// <summary>Pointers and sizes of a per-plane affine pass (too many for ParallelChunks.Args; passed by address).</summary>
    private readonly struct AffineBody(float* x, float* gy, float* dst, float* center, float* a, float* k, float* b, int channels, int hw, bool accumulate,
        FusedActivation act = FusedActivation.None, float* zScale = null, float* zShift = null, int batch = 0, double* sum0 = null, double* sum1 = null)
    {
        public readonly float* X = x, Gy = gy, Dst = dst, Center = center, A = a, K = k, B = b, ZScale = zScale, ZShift = zShift;
        public readonly double* Sum0 = sum0, Sum1 = sum1;
        public readonly int Channels = channels, Hw = hw, Batch = batch;
        public readonly bool Accumulate = accumulate;
        public readonly FusedActivation Act = act;
    }

    /// <summary>
    /// Per channel: each (n, c) plane's own mean and M2 by two passes over the plane while it is in L1, merged over the
    /// batch in order with Chan et al.'s parallel update (exact in exact arithmetic, float64 here): one trip through
    /// memory per element instead of two channel-wide passes. Clips outer, channels inner: the range's planes of one
    /// clip are contiguous, so memory streams forward; channel-outer order would jump C*HW floats per plane, which for
    /// the small late-stage maps (2x4, 4x7) cost a cache miss per plane (measured 3-10x slower). Each channel still
    /// merges its planes in batch order, so the result is the same bit for bit.
    /// </summary>
    private static void MeanM2Range(in ParallelChunks.Args a, int c0, int c1)
    {
        int batch = a.I0, channels = a.I1, hw = a.I2;
        double* mean = a.D0, m2 = a.D1;
        for (int c = c0; c < c1; c++) { mean[c] = 0; m2[c] = 0; }
        long count = 0;
        for (int n = 0; n < batch; n++)
        {
            long total = count + hw;
            double pairWeight = (double)count * hw / total; // the same for every channel of the clip: one division, not one per plane
            int c = c0;
            if (hw <= 8 && Vector256.IsHardwareAccelerated)
                for (; c + 4 <= c1; c += 4)
                    MeanM2FourTinyPlanes(a.P0 + ((long)n * channels + c) * hw, hw, total, pairWeight, mean + c, m2 + c);
            for (; c < c1; c++)
            {
                float* plane = a.P0 + ((long)n * channels + c) * hw;
                double pm = PlaneSum(plane, hw) / hw;
                double pq = PlaneSquaredDeviations(plane, hw, pm);
                double delta = pm - mean[c];
                mean[c] += delta * hw / total;
                m2[c] += pq + delta * delta * pairWeight;
            }
            count = total;
        }
    }

    /// <summary>
    /// <see cref="MeanM2Range"/>'s per-plane update for four consecutive channels of one clip whose planes have at most
    /// 8 positions (the 1x2 .. 2x4 maps of ultra-small networks, where per-plane overhead was most of the cost), one
    /// channel per float64 lane. Each lane performs exactly the scalar path's operations in the same order: for planes
    /// under 8 positions <see cref="PlaneSum"/> and <see cref="PlaneSquaredDeviations"/> add sequentially from zero; at
    /// 8 they take one widened vector step, ((0 + x_k) + (0 + x_k+4)) + (0 + 0) per lane k, then the lane sum
    /// (t0 + t1) + (t2 + t3). No fused multiply-adds, so the bits are the same.
    /// </summary>
    private static void MeanM2FourTinyPlanes(float* planes, int hw, long total, double pairWeight, double* mean, double* m2)
    {
        float* p0 = planes, p1 = planes + hw, p2 = planes + 2 * hw, p3 = planes + 3 * hw;
        Vector256<double> At(int i) => Vector256.Create((double)p0[i], p1[i], p2[i], p3[i]);
        var zero = Vector256<double>.Zero;
        var vhw = Vector256.Create((double)hw);
        Vector256<double> sum, sq;
        if (hw < 8)
        {
            sum = zero;
            for (int i = 0; i < hw; i++) sum += At(i);
            var pm = sum / vhw;
            sq = zero;
            for (int i = 0; i < hw; i++)
            {
                var d = At(i) - pm;
                sq += d * d;
            }
            Update(pm, sq);
            return;
        }
        Vector256<double> x0 = At(0), x1 = At(1), x2 = At(2), x3 = At(3), x4 = At(4), x5 = At(5), x6 = At(6), x7 = At(7);
        var pad = zero + zero;
        Vector256<double> t0 = ((zero + x0) + (zero + x4)) + pad, t1 = ((zero + x1) + (zero + x5)) + pad;
        Vector256<double> t2 = ((zero + x2) + (zero + x6)) + pad, t3 = ((zero + x3) + (zero + x7)) + pad;
        var mu = ((t0 + t1) + (t2 + t3)) / vhw;
        Vector256<double> Sq(Vector256<double> x) { var d = x - mu; return zero + d * d; }
        Vector256<double> q0 = (Sq(x0) + Sq(x4)) + pad, q1 = (Sq(x1) + Sq(x5)) + pad, q2 = (Sq(x2) + Sq(x6)) + pad, q3 = (Sq(x3) + Sq(x7)) + pad;
        Update(mu, (q0 + q1) + (q2 + q3));

        void Update(Vector256<double> pm, Vector256<double> pq)
        {
            var m = Vector256.Load(mean);
            var delta = pm - m;
            (m + delta * vhw / Vector256.Create((double)total)).Store(mean);
            (Vector256.Load(m2) + (pq + delta * delta * Vector256.Create(pairWeight))).Store(m2);
        }
    }

    /// <summary>Clips outer, channels inner (memory order; see <see cref="MeanM2Range"/>); each channel adds its planes in batch order.</summary>
    private static void GradientSumsRange(in ParallelChunks.Args args, int c0, int c1)
    {
        ref readonly var b = ref *(AffineBody*)args.P0;
        int batch = b.Batch, channels = b.Channels, hw = b.Hw;
        var act = b.Act;
        for (int c = c0; c < c1; c++) { b.Sum0[c] = 0; b.Sum1[c] = 0; }
        for (int n = 0; n < batch; n++)
        {
            int c = c0;
            if (hw < 8 && Vector256.IsHardwareAccelerated)
                for (; c + 8 <= c1; c += 8) GradientSumsEightTinyPlanes(b, n, c);
            for (; c < c1; c++)
            {
                float mu = b.Center[c];
                long off = ((long)n * channels + c) * hw;
                if (act == FusedActivation.None)
                {
                    b.Sum0[c] += PlaneKernels.Sum(b.Gy + off, hw);
                    b.Sum1[c] += PlaneDotCentered(b.Gy + off, b.X + off, hw, mu);
                }
                else
                {
                    var (s0, s1) = PlaneActivationGradientSums(b.Gy + off, b.X + off, hw, mu, b.ZScale[c], b.ZShift[c], act);
                    b.Sum0[c] += s0;
                    b.Sum1[c] += s1;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="GradientSumsRange"/> for eight consecutive channels of clip <paramref name="n"/> whose planes have
    /// under 8 positions (1x2 maps: per-plane calls cost more than the sums), one channel per float lane. Each lane does
    /// the scalar tail's operations of <see cref="PlaneKernels.Sum"/>, <see cref="PlaneDotCentered"/> and
    /// <see cref="PlaneActivationGradientSums"/> in the same order (float sums from zero, then 0.0 + t in float64), so
    /// the bits are the same.
    /// </summary>
    private static void GradientSumsEightTinyPlanes(in AffineBody b, int n, int c)
    {
        int hw = b.Hw;
        long plane0 = ((long)n * b.Channels + c) * hw;
        float* x = b.X + plane0, gy = b.Gy + plane0;
        Vector256<float> At(float* p, int i) =>
            Vector256.Create(p[i], p[hw + i], p[2 * hw + i], p[3 * hw + i], p[4 * hw + i], p[5 * hw + i], p[6 * hw + i], p[7 * hw + i]);
        var mu = Vector256.Load(b.Center + c);
        Vector256<float> t0 = default, t1 = default;
        if (b.Act == FusedActivation.None)
        {
            for (int i = 0; i < hw; i++) t0 += At(gy, i);
            for (int i = 0; i < hw; i++) t1 += At(gy, i) * (At(x, i) - mu);
        }
        else
        {
            var zs = Vector256.Load(b.ZScale + c);
            var zb = Vector256.Load(b.ZShift + c);
            for (int i = 0; i < hw; i++)
            {
                var d = At(x, i) - mu;
                var g = FusedActivationMath.Gradient(d * zs + zb, At(gy, i), b.Act);
                t0 += g;
                t1 += g * d;
            }
        }
        for (int l = 0; l < 8; l++)
        {
            b.Sum0[c + l] += 0.0 + t0.GetElement(l);
            b.Sum1[c + l] += 0.0 + t1.GetElement(l);
        }
    }

    /// <summary>Sum of g and of g * (x - mu) over one plane, with g = act'(z) * gy and z = (x - mu) * zs + zb.</summary>
    private static (double, double) PlaneActivationGradientSums(float* gy, float* x, int n, float mu, float zs, float zb, FusedActivation act)
    {
        int i = 0;
        double s0 = 0, s1 = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vmu = Vector256.Create(mu);
            var vzs = Vector256.Create(zs);
            var vzb = Vector256.Create(zb);
            Vector256<float> a0 = default, a1 = default;
            for (; i <= n - 8; i += 8)
            {
                var d = Vector256.Load(x + i) - vmu;
                var g = FusedActivationMath.Gradient(d * vzs + vzb, Vector256.Load(gy + i), act);
                a0 += g;
                a1 += g * d;
            }
            s0 = LaneSum(a0);
            s1 = LaneSum(a1);
        }
        float t0 = 0, t1 = 0;
        for (; i < n; i++)
        {
            float d = x[i] - mu;
            float g = FusedActivationMath.Gradient(d * zs + zb, gy[i], act);
            t0 += g;
            t1 += g * d;
        }
        return (s0 + t0, s1 + t1);
    }

    private static void NormalizeRange(in ParallelChunks.Args args, int p0, int p1)
    {
        ref readonly var b = ref *(AffineBody*)args.P0;
        int hw = b.Hw;
        for (int p = p0; p < p1; p++)
        {
            int c = p % b.Channels;
            float* x = b.X + (long)p * hw, y = b.Dst + (long)p * hw;
            float mu = b.Center[c], s = b.A[c], sh = b.B[c];
            var act = b.Act;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vmu = Vector256.Create(mu);
                var vs = Vector256.Create(s);
                var vsh = Vector256.Create(sh);
                for (; i <= hw - 8; i += 8)
                    Vector256.Store(FusedActivationMath.Forward((Vector256.Load(x + i) - vmu) * vs + vsh, act), y + i);
            }
            for (; i < hw; i++) y[i] = FusedActivationMath.Forward((x[i] - mu) * s + sh, act);
        }
    }

    private static void InputGradientRange(in ParallelChunks.Args args, int p0, int p1)
    {
        ref readonly var b = ref *(AffineBody*)args.P0;
        int hw = b.Hw;
        bool acc = b.Accumulate;
        for (int p = p0; p < p1; p++)
        {
            int c = p % b.Channels;
            float* x = b.X + (long)p * hw, g = b.Gy + (long)p * hw, d = b.Dst + (long)p * hw;
            float a = b.A[c], k = b.K[c], mu = b.Center[c], cst = b.B[c];
            var act = b.Act;
            float zs = act == FusedActivation.None ? 0f : b.ZScale[c], zb = act == FusedActivation.None ? 0f : b.ZShift[c];
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var va = Vector256.Create(a);
                var vk = Vector256.Create(k);
                var vmu = Vector256.Create(mu);
                var vc = Vector256.Create(cst);
                var vzs = Vector256.Create(zs);
                var vzb = Vector256.Create(zb);
                for (; i <= hw - 8; i += 8)
                {
                    var xc = Vector256.Load(x + i) - vmu;
                    var gv = Vector256.Load(g + i);
                    if (act != FusedActivation.None) gv = FusedActivationMath.Gradient(xc * vzs + vzb, gv, act);
                    var v = va * gv + vk * xc + vc;
                    if (acc) v = Vector256.Load(d + i) + v;
                    Vector256.Store(v, d + i);
                }
            }
            for (; i < hw; i++)
            {
                float xc = x[i] - mu;
                float gv = act == FusedActivation.None ? g[i] : FusedActivationMath.Gradient(xc * zs + zb, g[i], act);
                float v = a * gv + k * xc + cst;
                d[i] = acc ? d[i] + v : v;
            }
        }
    }

    /// <summary>
    /// Sum of one plane in float64 (the statistics must combine exactly across batches for recalibration): floats are
    /// widened and added into four Vector256&lt;double&gt; accumulators, combined (0+1)+(2+3), lanes in order, then the tail.
    /// </summary>
    private static double PlaneSum(float* x, int n)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 16; i += 16)
            {
                var (l0, h0) = Vector256.Widen(Vector256.Load(x + i));
                var (l1, h1) = Vector256.Widen(Vector256.Load(x + i + 8));
                a0 += l0; a1 += h0; a2 += l1; a3 += h1;
            }
            if (i <= n - 8) // small planes (4x7, 8x13): one more vector before the scalar tail
            {
                var (l0, h0) = Vector256.Widen(Vector256.Load(x + i));
                a0 += l0; a1 += h0;
                i += 8;
            }
            s = LaneSum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) s += x[i];
        return s;
    }

    /// <summary>Sum of (x - mu)^2 over one plane, in float64 like <see cref="PlaneSum"/>.</summary>
    private static double PlaneSquaredDeviations(float* x, int n, double mu)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vmu = Vector256.Create(mu);
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 16; i += 16)
            {
                var (l0, h0) = Vector256.Widen(Vector256.Load(x + i));
                var (l1, h1) = Vector256.Widen(Vector256.Load(x + i + 8));
                l0 -= vmu; h0 -= vmu; l1 -= vmu; h1 -= vmu;
                a0 += l0 * l0; a1 += h0 * h0; a2 += l1 * l1; a3 += h1 * h1;
            }
            if (i <= n - 8)
            {
                var (l0, h0) = Vector256.Widen(Vector256.Load(x + i));
                l0 -= vmu; h0 -= vmu;
                a0 += l0 * l0; a1 += h0 * h0;
                i += 8;
            }
            s = LaneSum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) { double d = x[i] - mu; s += d * d; }
        return s;
    }

    /// <summary>Sum of g * (x - mu) over one plane: four Vector256 float accumulators (gradients need float32 accuracy only).</summary>
    private static double PlaneDotCentered(float* g, float* x, int n, float mu)
    {
        int i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vmu = Vector256.Create(mu);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 32; i += 32)
            {
                a0 += Vector256.Load(g + i) * (Vector256.Load(x + i) - vmu);
                a1 += Vector256.Load(g + i + 8) * (Vector256.Load(x + i + 8) - vmu);
                a2 += Vector256.Load(g + i + 16) * (Vector256.Load(x + i + 16) - vmu);
                a3 += Vector256.Load(g + i + 24) * (Vector256.Load(x + i + 24) - vmu);
            }
            for (; i <= n - 8; i += 8) a0 += Vector256.Load(g + i) * (Vector256.Load(x + i) - vmu);
            s = LaneSum((a0 + a1) + (a2 + a3));
        }
        float t = 0;
        for (; i < n; i++) t += g[i] * (x[i] - mu);
        return s + t;
    }

    private static double LaneSum(Vector256<float> v) => PlaneKernels.LaneSum(v);

    private static double LaneSum(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));
}
