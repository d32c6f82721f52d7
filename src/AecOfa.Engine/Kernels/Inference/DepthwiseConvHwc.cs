using System.Runtime.Intrinsics;
using static AecOfa.Engine.Kernels.Inference.InferenceVector;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Inference depthwise k×k convolution on channels-last activations of one example (H, W, C) → (H', W', C), with
/// zero padding, any stride, bias and activation in the epilogue. Vectors run across channels, so every tap is a
/// whole-vector multiply-add whatever the stride or map size; out-of-bounds taps are skipped by clamping the tap
/// range per edge pixel (no padded copy). Interior pixels run 4 at a time per channel vector (4 independent
/// chains: a lone chain of 9-49 taps would wait on the multiply-add latency at 8-16 channels); a scalar channel tail.
/// Single-threaded, allocation-free; each output is one multiply-add chain over its taps in (ky, kx) order from
/// the bias.
/// </summary>
public static unsafe class DepthwiseConvHwc
{
    /// <summary>Output length of a side: (n + 2·padding − k) / stride + 1.</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding) => (size + 2 * padding - kernel) / stride + 1;

    /// <summary>x: height × width pixels of <see cref="PackedTapWeights.Channels"/> floats; y: the output pixels, same
    /// channel count. y must not overlap x.</summary>
    public static void Forward(ReadOnlySpan<float> x, int height, int width, PackedTapWeights weights, int stride, int padding, Span<float> y,
        FusedActivation activation = FusedActivation.None)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int c = weights.Channels, k = weights.Kernel;
        Validate(height, width, k, stride, padding);
        int ho = OutputSize(height, k, stride, padding), wo = OutputSize(width, k, stride, padding);
        if (x.Length < (long)height * width * c) throw new ArgumentException($"DepthwiseConvHwc: x has {x.Length} values, needs {height} x {width} x {c}.", nameof(x));
        if (y.Length < (long)ho * wo * c) throw new ArgumentException($"DepthwiseConvHwc: y has {y.Length} values, needs {ho} x {wo} x {c}.", nameof(y));
        fixed (float* px = x, py = y, pw = weights.Data, pb = weights.Bias)
        {
            int ws = weights.Stride;
            var (oxA, oxB) = InteriorColumns(width, wo, k, stride, padding);
            int c8 = c / 8 * 8;
            for (int oy = 0; oy < ho; oy++)
            {
                int iy0 = oy * stride - padding;
                int ky0 = Math.Max(0, -iy0), ky1 = Math.Min(k, height - iy0);
                for (int ox = 0; ox < oxA; ox++) Pixel(px, py, pw, pb, ws, width, wo, c, k, stride, padding, oy, iy0, ky0, ky1, ox, activation);
                for (int ox = oxB; ox < wo; ox++) Pixel(px, py, pw, pb, ws, width, wo, c, k, stride, padding, oy, iy0, ky0, ky1, ox, activation);
                // Interior: 4 output pixels per channel vector (4 independent multiply-add chains).
                for (int ch = 0; ch < c8; ch += 8)
                {
                    var bias = Vector256.Load(pb + ch);
                    int ox = oxA;
                    for (; ox + 4 <= oxB; ox += 4)
                    {
                        Vector256<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                        long step = (long)stride * c;
                        for (int ky = ky0; ky < ky1; ky++)
                        {
                            float* xRow = px + ((long)(iy0 + ky) * width + ox * stride - padding) * c + ch;
                            float* wRow = pw + ky * k * ws + ch;
                            for (int kx = 0; kx < k; kx++)
                            {
                                var wv = Vector256.Load(wRow + kx * ws);
                                float* xp = xRow + (long)kx * c;
                                a0 = MulAdd(Vector256.Load(xp), wv, a0);
                                a1 = MulAdd(Vector256.Load(xp + step), wv, a1);
                                a2 = MulAdd(Vector256.Load(xp + 2 * step), wv, a2);
                                a3 = MulAdd(Vector256.Load(xp + 3 * step), wv, a3);
                            }
                        }
                        float* yp = py + ((long)oy * wo + ox) * c + ch;
                        Store(a0, yp, null, activation, 8);
                        Store(a1, yp + c, null, activation, 8);
                        Store(a2, yp + 2 * c, null, activation, 8);
                        Store(a3, yp + 3 * c, null, activation, 8);
                    }
                    for (; ox < oxB; ox++)
                    {
                        var a = bias;
                        for (int ky = ky0; ky < ky1; ky++)
                        {
                            float* xRow = px + ((long)(iy0 + ky) * width + ox * stride - padding) * c + ch;
                            float* wRow = pw + ky * k * ws + ch;
                            for (int kx = 0; kx < k; kx++) a = MulAdd(Vector256.Load(xRow + (long)kx * c), Vector256.Load(wRow + kx * ws), a);
                        }
                        Store(a, py + ((long)oy * wo + ox) * c + ch, null, activation, 8);
                    }
                }
                for (int ch = c8; ch < c; ch++)
                    for (int ox = oxA; ox < oxB; ox++)
                        py[((long)oy * wo + ox) * c + ch] = Scalar(px, pw, pb, ws, width, c, k, iy0, ky0, ky1, ox * stride - padding, 0, k, ch, activation);
            }
        }
    }

    /// <summary>Every channel of one output pixel (the edge columns, where taps are clamped).</summary>
    private static void Pixel(float* px, float* py, float* pw, float* pb, int ws, int width, int wo, int c, int k, int stride, int padding,
        int oy, int iy0, int ky0, int ky1, int ox, FusedActivation activation)
    {
        int ix0 = ox * stride - padding;
        int kx0 = Math.Max(0, -ix0), kx1 = Math.Min(k, width - ix0);
        float* yp = py + ((long)oy * wo + ox) * c;
        float* xOrigin = px + ((long)iy0 * width + ix0) * c; // the (0, 0) tap; only valid taps are read
        int ch = 0;
        for (; ch + 8 <= c; ch += 8)
        {
            var a = Vector256.Load(pb + ch);
            for (int ky = ky0; ky < ky1; ky++)
                for (int kx = kx0; kx < kx1; kx++)
                    a = MulAdd(Vector256.Load(xOrigin + ((long)ky * width + kx) * c + ch), Vector256.Load(pw + (ky * k + kx) * ws + ch), a);
            Store(a, yp + ch, null, activation, 8);
        }
        for (; ch < c; ch++) yp[ch] = Scalar(px, pw, pb, ws, width, c, k, iy0, ky0, ky1, ix0, kx0, kx1, ch, activation);
    }

    private static float Scalar(float* px, float* pw, float* pb, int ws, int width, int c, int k, int iy0, int ky0, int ky1, int ix0, int kx0, int kx1, int ch,
        FusedActivation activation)
    {
        float* xOrigin = px + ((long)iy0 * width + ix0) * c;
        float a = pb[ch];
        for (int ky = ky0; ky < ky1; ky++)
            for (int kx = kx0; kx < kx1; kx++)
                a = MathF.FusedMultiplyAdd(xOrigin[((long)ky * width + kx) * c + ch], pw[(ky * k + kx) * ws + ch], a);
        return FusedActivationMath.Forward(a, activation);
    }

    /// <summary>Output columns [A, B) whose k taps all lie inside the input row (ix0 ≥ 0 and ix0 + k ≤ width).</summary>
    internal static (int A, int B) InteriorColumns(int width, int outWidth, int kernel, int stride, int padding)
    {
        int lastStart = width - kernel + padding; // the largest ix0 + padding with every tap inside
        int a = Math.Min(outWidth, (padding + stride - 1) / stride);
        return (a, Math.Max(a, Math.Min(outWidth, lastStart < 0 ? 0 : lastStart / stride + 1)));
    }

    internal static void Validate(int height, int width, int kernel, int stride, int padding)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (padding >= kernel) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must be below the kernel size {kernel}.");
        if (height + 2 * padding < kernel || width + 2 * padding < kernel)
            throw new ArgumentException($"a {height} x {width} map with padding {padding} is smaller than the {kernel} x {kernel} kernel.");
    }
}
