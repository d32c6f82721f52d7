using System.Buffers;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// The element-wise batch-norm passes on small planes (the 1x2 .. 2x4 maps of the late stages of ultra-small
/// networks, under 16 positions): the per-plane loop spends more on its own setup (channel index, broadcasts, a scalar
/// tail for every plane) than on the 2-8 elements of a plane. Here each channel's coefficients are first expanded to
/// one value per (channel, position) of a clip, so a whole clip (channels x hw contiguous floats) is one vector loop.
/// Every element gets the same float operations as in the per-plane pass (FusedActivationMath's vector and scalar
/// forms are the same ops), so the results are bitwise equal to it.
/// </summary>
public static unsafe partial class BatchNormKernels
{
    /// <summary>Planes with fewer positions than this take the clip-wide pass.</summary>
    internal const int SmallPlaneMaxHw = 15;

    /// <summary>coefficient[c] repeated hw times for each channel, per array, into one buffer of count x channels x hw.</summary>
    private static void Expand(float* dst, int channels, int hw, params ReadOnlySpan<nint> coefficients)
    {
        int period = channels * hw;
        for (int a = 0; a < coefficients.Length; a++)
        {
            float* src = (float*)coefficients[a], d = dst + (long)a * period;
            if (src == null) { new Span<float>(d, period).Clear(); continue; }
            for (int c = 0; c < channels; c++)
                new Span<float>(d + (long)c * hw, hw).Fill(src[c]);
        }
    }

    private static void NormalizeSmallPlanes(float* x, float* y, int batch, int channels, int hw, float* center, float* scale, float* shift, FusedActivation act)
    {
        int period = channels * hw;
        float[] arr = ArrayPool<float>.Shared.Rent(3 * period);
        try
        {
            fixed (float* e = arr)
            {
                Expand(e, channels, hw, (nint)center, (nint)scale, (nint)shift);
                ParallelChunks.For(batch, 1, ParallelMin(batch, channels, hw), &NormalizeClipsRange,
                    new(x, y, e, i0: period, flag: false, i1: (int)act));
            }
        }
        finally { ArrayPool<float>.Shared.Return(arr); }
    }

    /// <summary>Clips [n0, n1): y = act((x - mu) * s + b) with per-element expanded mu, s, b (P2: three arrays of I0 floats).</summary>
    private static void NormalizeClipsRange(in ParallelChunks.Args a, int n0, int n1)
    {
        int period = a.I0;
        var act = (FusedActivation)a.I1;
        float* mu = a.P2, s = mu + period, b = s + period;
        for (int n = n0; n < n1; n++)
        {
            float* x = a.P0 + (long)n * period, y = a.P1 + (long)n * period;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= period - 8; i += 8)
                    Vector256.Store(FusedActivationMath.Forward((Vector256.Load(x + i) - Vector256.Load(mu + i)) * Vector256.Load(s + i) + Vector256.Load(b + i), act), y + i);
            for (; i < period; i++) y[i] = FusedActivationMath.Forward((x[i] - mu[i]) * s[i] + b[i], act);
        }
    }

    private static void InputGradientSmallPlanes(in AffineBody body, int batch)
    {
        int channels = body.Channels, hw = body.Hw, period = channels * hw;
        bool fused = body.Act != FusedActivation.None;
        float[] arr = ArrayPool<float>.Shared.Rent(6 * period);
        try
        {
            fixed (float* e = arr)
            {
                Expand(e, channels, hw, (nint)body.A, (nint)body.K, (nint)body.Center, (nint)body.B,
                    fused ? (nint)body.ZScale : 0, fused ? (nint)body.ZShift : 0);
                ParallelChunks.For(batch, 1, ParallelMin(batch, channels, hw), &InputGradientClipsRange,
                    new(body.X, body.Gy, body.Dst, e, i0: period, i1: (int)body.Act, flag: body.Accumulate));
            }
        }
        finally { ArrayPool<float>.Shared.Return(arr); }
    }

    /// <summary>Clips [n0, n1): d (+)= a * act'(z, g) + k * (x - mu) + cst, z = (x - mu) * zs + zb, with per-element expanded coefficients (P3: a, k, mu, cst, zs, zb).</summary>
    private static void InputGradientClipsRange(in ParallelChunks.Args args, int n0, int n1)
    {
        int period = args.I0;
        var act = (FusedActivation)args.I1;
        bool acc = args.Flag;
        float* ea = args.P3, ek = ea + period, emu = ek + period, ec = emu + period, ezs = ec + period, ezb = ezs + period;
        for (int n = n0; n < n1; n++)
        {
            float* x = args.P0 + (long)n * period, g = args.P1 + (long)n * period, d = args.P2 + (long)n * period;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= period - 8; i += 8)
                {
                    var xc = Vector256.Load(x + i) - Vector256.Load(emu + i);
                    var gv = Vector256.Load(g + i);
                    if (act != FusedActivation.None) gv = FusedActivationMath.Gradient(xc * Vector256.Load(ezs + i) + Vector256.Load(ezb + i), gv, act);
                    var v = Vector256.Load(ea + i) * gv + Vector256.Load(ek + i) * xc + Vector256.Load(ec + i);
                    if (acc) v = Vector256.Load(d + i) + v;
                    Vector256.Store(v, d + i);
                }
            for (; i < period; i++)
            {
                float xc = x[i] - emu[i];
                float gv = act == FusedActivation.None ? g[i] : FusedActivationMath.Gradient(xc * ezs[i] + ezb[i], g[i], act);
                float v = ea[i] * gv + ek[i] * xc + ec[i];
                d[i] = acc ? d[i] + v : v;
            }
        }
    }
}
