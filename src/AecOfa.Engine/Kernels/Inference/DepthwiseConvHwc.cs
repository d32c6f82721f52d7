using System.Runtime.Intrinsics;
using static AecOfa.Engine.Kernels.Inference.InferenceVector;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Inference depthwise k×k convolution on channels-last activations of one example (H, W, C) → (H', W', C), with
/// zero padding, any stride, bias and activation in the epilogue. Vectors run across channels, so every tap is a
/// whole-vector multiply-add whatever the stride or map size; out-of-bounds taps are skipped by clamping the tap
/// range per output pixel (no padded copy). Channel blocks of 32 (4 accumulators), then 8, then a scalar tail.
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
            for (int oy = 0; oy < ho; oy++)
            {
                int iy0 = oy * stride - padding;
                int ky0 = Math.Max(0, -iy0), ky1 = Math.Min(k, height - iy0);
                for (int ox = 0; ox < wo; ox++)
                {
                    int ix0 = ox * stride - padding;
                    int kx0 = Math.Max(0, -ix0), kx1 = Math.Min(k, width - ix0);
                    float* yp = py + ((long)oy * wo + ox) * c;
                    float* xOrigin = px + ((long)iy0 * width + ix0) * c; // the (0, 0) tap; only valid taps are read
                    int ch = 0;
                    for (; ch + 32 <= c; ch += 32)
                    {
                        Vector256<float> a0 = Vector256.Load(pb + ch), a1 = Vector256.Load(pb + ch + 8),
                            a2 = Vector256.Load(pb + ch + 16), a3 = Vector256.Load(pb + ch + 24);
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                            {
                                float* xp = xOrigin + ((long)ky * width + kx) * c + ch;
                                float* wp = pw + (ky * k + kx) * ws + ch;
                                a0 = MulAdd(Vector256.Load(xp), Vector256.Load(wp), a0);
                                a1 = MulAdd(Vector256.Load(xp + 8), Vector256.Load(wp + 8), a1);
                                a2 = MulAdd(Vector256.Load(xp + 16), Vector256.Load(wp + 16), a2);
                                a3 = MulAdd(Vector256.Load(xp + 24), Vector256.Load(wp + 24), a3);
                            }
                        Store(a0, yp + ch, null, activation, 8);
                        Store(a1, yp + ch + 8, null, activation, 8);
                        Store(a2, yp + ch + 16, null, activation, 8);
                        Store(a3, yp + ch + 24, null, activation, 8);
                    }
                    for (; ch + 8 <= c; ch += 8)
                    {
                        var a = Vector256.Load(pb + ch);
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                                a = MulAdd(Vector256.Load(xOrigin + ((long)ky * width + kx) * c + ch), Vector256.Load(pw + (ky * k + kx) * ws + ch), a);
                        Store(a, yp + ch, null, activation, 8);
                    }
                    for (; ch < c; ch++)
                    {
                        float a = pb[ch];
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                                a = MathF.FusedMultiplyAdd(xOrigin[((long)ky * width + kx) * c + ch], pw[(ky * k + kx) * ws + ch], a);
                        yp[ch] = FusedActivationMath.Forward(a, activation);
                    }
                }
            }
        }
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
