using System.Runtime.Intrinsics;
using static AecOfa.Engine.Kernels.Inference.InferenceVector;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Inference 1×1 convolution (or linear layer) on channels-last activations of one example:
/// y[p, o] = act(Σ_i x[p, i] · W[o, i] + b[o]) (+ residual[p, o]) for pixels p. At batch 1 this is the product
/// (pixels × in) · (in × out) with the small pixel count as rows, so the vectors run over output channels and every
/// weight vector loaded is reused by up to 6 pixels; one pass writes the finished values (bias, activation and residual
/// in the epilogue, no second pass). Register tiles: 6 pixels × 16 outputs (12 accumulators), 4 × 16, 4 × 8, 1 × 8
/// for the last pixels, and 1 × 32 for one pixel (a matrix-vector product keeps 4 independent accumulators); weight
/// panels outer, pixels inner, so every weight is read from memory once per call. Single-threaded,
/// allocation-free. The reduction runs over input channels in order (the 1 × 8 tile keeps even and odd channels in
/// two partial sums).
/// </summary>
public static unsafe class PointwiseConvHwc
{
    /// <summary>
    /// x: <paramref name="pixels"/> rows of <paramref name="ldx"/> floats (the first <see cref="PackedPointwiseWeights.InChannels"/>
    /// used); y: rows of <paramref name="ldy"/> floats (the first <see cref="PackedPointwiseWeights.OutChannels"/> written);
    /// residual (optional): same layout as y, added after the activation. y must not overlap x or residual.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, int pixels, int ldx, PackedPointwiseWeights weights, Span<float> y, int ldy,
        FusedActivation activation = FusedActivation.None, ReadOnlySpan<float> residual = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        int cin = weights.InChannels, cout = weights.OutChannels;
        if (ldx < cin) throw new ArgumentOutOfRangeException(nameof(ldx), ldx, $"PointwiseConvHwc: ldx must be at least the {cin} input channels.");
        if (ldy < cout) throw new ArgumentOutOfRangeException(nameof(ldy), ldy, $"PointwiseConvHwc: ldy must be at least the {cout} output channels.");
        long needX = (long)(pixels - 1) * ldx + cin, needY = (long)(pixels - 1) * ldy + cout;
        if (x.Length < needX) throw new ArgumentException($"PointwiseConvHwc: x has {x.Length} values, needs {needX}.", nameof(x));
        if (y.Length < needY) throw new ArgumentException($"PointwiseConvHwc: y has {y.Length} values, needs {needY}.", nameof(y));
        if (!residual.IsEmpty && residual.Length < needY)
            throw new ArgumentException($"PointwiseConvHwc: residual has {residual.Length} values, needs {needY}.", nameof(residual));
        fixed (float* px = x, py = y, pr = residual, pw = weights.Data, pb = weights.Bias)
            Run(px, pixels, ldx, cin, cout, weights.Panels, pw, pb, py, ldy, residual.IsEmpty ? null : pr, activation);
    }

    private static void Run(float* x, int pixels, int ldx, int cin, int cout, int panels, float* w, float* bias, float* y, int ldy, float* res, FusedActivation act)
    {
        int panelSize = cin * 8;
        if (pixels == 1)
        {
            // A matrix-vector product: 4 panels at a time for 4 independent chains.
            int panel = 0;
            for (; panel + 4 <= panels; panel += 4)
                Tile1x32(x, cin, w + panel * panelSize, panelSize, bias + panel * 8, y + panel * 8, res == null ? null : res + panel * 8, act, cout - panel * 8);
            for (; panel < panels; panel++)
                Tile1x8(x, cin, w + panel * panelSize, bias + panel * 8, y + panel * 8, res == null ? null : res + panel * 8, act, cout - panel * 8);
            return;
        }
        // Panels outer, pixels inner: a panel pair's weights (in x 16 floats) stay in L1 while every pixel uses them,
        // so each weight is read from memory once per call whatever the pixel count.
        int pp = 0;
        for (; pp + 2 <= panels; pp += 2)
        {
            float* w0 = w + pp * panelSize, w1 = w + (pp + 1) * panelSize, b = bias + pp * 8;
            int n0 = Math.Min(8, cout - pp * 8), n1 = Math.Min(8, cout - pp * 8 - 8);
            int p = 0;
            for (; p + 6 <= pixels; p += 6)
                Tile6x16(x + (long)p * ldx, ldx, cin, w0, w1, b, y + (long)p * ldy + pp * 8, ldy, res == null ? null : res + (long)p * ldy + pp * 8, act, n0, n1);
            for (; p + 4 <= pixels; p += 4)
                Tile4x16(x + (long)p * ldx, ldx, cin, w0, w1, b, y + (long)p * ldy + pp * 8, ldy, res == null ? null : res + (long)p * ldy + pp * 8, act, n0, n1);
            for (; p < pixels; p++)
            {
                float* xr = x + (long)p * ldx, yr = y + (long)p * ldy + pp * 8, rr = res == null ? null : res + (long)p * ldy + pp * 8;
                Tile1x8(xr, cin, w0, b, yr, rr, act, n0);
                Tile1x8(xr, cin, w1, b + 8, yr + 8, rr == null ? null : rr + 8, act, n1);
            }
        }
        if (pp < panels)
        {
            float* w0 = w + pp * panelSize, b = bias + pp * 8;
            int n0 = cout - pp * 8;
            int p = 0;
            for (; p + 4 <= pixels; p += 4)
                Tile4x8(x + (long)p * ldx, ldx, cin, w0, b, y + (long)p * ldy + pp * 8, ldy, res == null ? null : res + (long)p * ldy + pp * 8, act, n0);
            for (; p < pixels; p++)
                Tile1x8(x + (long)p * ldx, cin, w0, b, y + (long)p * ldy + pp * 8, res == null ? null : res + (long)p * ldy + pp * 8, act, n0);
        }
    }

    private static void Tile6x16(float* x, int ldx, int cin, float* w0, float* w1, float* b, float* y, int ldy, float* r, FusedActivation act, int n0, int n1)
    {
        Vector256<float> bias0 = Vector256.Load(b), bias1 = Vector256.Load(b + 8);
        Vector256<float> a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1;
        Vector256<float> a30 = bias0, a31 = bias1, a40 = bias0, a41 = bias1, a50 = bias0, a51 = bias1;
        float* x0 = x, x1 = x + ldx, x2 = x + 2 * ldx, x3 = x + 3 * ldx, x4 = x + 4 * ldx, x5 = x + 5 * ldx;
        for (int k = 0; k < cin; k++)
        {
            var v0 = Vector256.Load(w0 + k * 8);
            var v1 = Vector256.Load(w1 + k * 8);
            var s = Vector256.Create(x0[k]);
            a00 = MulAdd(s, v0, a00); a01 = MulAdd(s, v1, a01);
            s = Vector256.Create(x1[k]);
            a10 = MulAdd(s, v0, a10); a11 = MulAdd(s, v1, a11);
            s = Vector256.Create(x2[k]);
            a20 = MulAdd(s, v0, a20); a21 = MulAdd(s, v1, a21);
            s = Vector256.Create(x3[k]);
            a30 = MulAdd(s, v0, a30); a31 = MulAdd(s, v1, a31);
            s = Vector256.Create(x4[k]);
            a40 = MulAdd(s, v0, a40); a41 = MulAdd(s, v1, a41);
            s = Vector256.Create(x5[k]);
            a50 = MulAdd(s, v0, a50); a51 = MulAdd(s, v1, a51);
        }
        StoreRow(a00, a01, y, r, act, n0, n1);
        StoreRow(a10, a11, y + ldy, r == null ? null : r + ldy, act, n0, n1);
        StoreRow(a20, a21, y + 2 * ldy, r == null ? null : r + 2 * ldy, act, n0, n1);
        StoreRow(a30, a31, y + 3 * ldy, r == null ? null : r + 3 * ldy, act, n0, n1);
        StoreRow(a40, a41, y + 4 * ldy, r == null ? null : r + 4 * ldy, act, n0, n1);
        StoreRow(a50, a51, y + 5 * ldy, r == null ? null : r + 5 * ldy, act, n0, n1);
    }

    private static void StoreRow(Vector256<float> a0, Vector256<float> a1, float* y, float* r, FusedActivation act, int n0, int n1)
    {
        Store(a0, y, r, act, n0);
        Store(a1, y + 8, r == null ? null : r + 8, act, n1);
    }

    private static void Tile4x16(float* x, int ldx, int cin, float* w0, float* w1, float* b, float* y, int ldy, float* r, FusedActivation act, int n0, int n1)
    {
        Vector256<float> bias0 = Vector256.Load(b), bias1 = Vector256.Load(b + 8);
        Vector256<float> a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
        float* x0 = x, x1 = x + ldx, x2 = x + 2 * ldx, x3 = x + 3 * ldx;
        for (int k = 0; k < cin; k++)
        {
            var v0 = Vector256.Load(w0 + k * 8);
            var v1 = Vector256.Load(w1 + k * 8);
            var s = Vector256.Create(x0[k]);
            a00 = MulAdd(s, v0, a00); a01 = MulAdd(s, v1, a01);
            s = Vector256.Create(x1[k]);
            a10 = MulAdd(s, v0, a10); a11 = MulAdd(s, v1, a11);
            s = Vector256.Create(x2[k]);
            a20 = MulAdd(s, v0, a20); a21 = MulAdd(s, v1, a21);
            s = Vector256.Create(x3[k]);
            a30 = MulAdd(s, v0, a30); a31 = MulAdd(s, v1, a31);
        }
        StoreRow(a00, a01, y, r, act, n0, n1);
        StoreRow(a10, a11, y + ldy, r == null ? null : r + ldy, act, n0, n1);
        StoreRow(a20, a21, y + 2 * ldy, r == null ? null : r + 2 * ldy, act, n0, n1);
        StoreRow(a30, a31, y + 3 * ldy, r == null ? null : r + 3 * ldy, act, n0, n1);
    }

    private static void Tile4x8(float* x, int ldx, int cin, float* w0, float* b, float* y, int ldy, float* r, FusedActivation act, int n0)
    {
        Vector256<float> bias0 = Vector256.Load(b);
        Vector256<float> a0 = bias0, a1 = bias0, a2 = bias0, a3 = bias0;
        float* x0 = x, x1 = x + ldx, x2 = x + 2 * ldx, x3 = x + 3 * ldx;
        for (int k = 0; k < cin; k++)
        {
            var v0 = Vector256.Load(w0 + k * 8);
            a0 = MulAdd(Vector256.Create(x0[k]), v0, a0);
            a1 = MulAdd(Vector256.Create(x1[k]), v0, a1);
            a2 = MulAdd(Vector256.Create(x2[k]), v0, a2);
            a3 = MulAdd(Vector256.Create(x3[k]), v0, a3);
        }
        Store(a0, y, r, act, n0);
        Store(a1, y + ldy, r == null ? null : r + ldy, act, n0);
        Store(a2, y + 2 * ldy, r == null ? null : r + 2 * ldy, act, n0);
        Store(a3, y + 3 * ldy, r == null ? null : r + 3 * ldy, act, n0);
    }

    /// <summary>One pixel, four panels (32 outputs): <paramref name="remaining"/> ≥ 25 outputs are left from this panel on.</summary>
    private static void Tile1x32(float* x, int cin, float* w, int panelSize, float* b, float* y, float* r, FusedActivation act, int remaining)
    {
        float* w0 = w, w1 = w + panelSize, w2 = w + 2 * panelSize, w3 = w + 3 * panelSize;
        Vector256<float> a0 = Vector256.Load(b), a1 = Vector256.Load(b + 8), a2 = Vector256.Load(b + 16), a3 = Vector256.Load(b + 24);
        for (int k = 0; k < cin; k++)
        {
            var s = Vector256.Create(x[k]);
            a0 = MulAdd(s, Vector256.Load(w0 + k * 8), a0);
            a1 = MulAdd(s, Vector256.Load(w1 + k * 8), a1);
            a2 = MulAdd(s, Vector256.Load(w2 + k * 8), a2);
            a3 = MulAdd(s, Vector256.Load(w3 + k * 8), a3);
        }
        Store(a0, y, r, act, 8);
        Store(a1, y + 8, r == null ? null : r + 8, act, 8);
        Store(a2, y + 16, r == null ? null : r + 16, act, 8);
        Store(a3, y + 24, r == null ? null : r + 24, act, Math.Min(8, remaining - 24));
    }

    private static void Tile1x8(float* x, int cin, float* w0, float* b, float* y, float* r, FusedActivation act, int remaining)
    {
        // Two partial sums (even / odd input channels) halve the dependency chain of a lone accumulator.
        Vector256<float> a0 = Vector256.Load(b), a1 = Vector256<float>.Zero;
        int k = 0;
        for (; k + 2 <= cin; k += 2)
        {
            a0 = MulAdd(Vector256.Create(x[k]), Vector256.Load(w0 + k * 8), a0);
            a1 = MulAdd(Vector256.Create(x[k + 1]), Vector256.Load(w0 + k * 8 + 8), a1);
        }
        if (k < cin) a0 = MulAdd(Vector256.Create(x[k]), Vector256.Load(w0 + k * 8), a0);
        Store(a0 + a1, y, r, act, Math.Min(8, remaining));
    }
}
