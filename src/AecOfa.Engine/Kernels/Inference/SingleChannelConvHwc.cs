using System.Runtime.Intrinsics;
using static AecOfa.Engine.Kernels.Inference.InferenceVector;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Inference k×k convolution of ONE input plane (height × width) into C channels-last outputs (H', W', C): the
/// stem of a network whose input is one log-mel plane. Vectors run across output channels; each tap broadcasts one
/// input value. Zero padding by clamping the tap range; bias and activation in the epilogue. Single-threaded,
/// allocation-free; each output is one multiply-add chain over its taps in (ky, kx) order from the bias.
/// </summary>
public static unsafe class SingleChannelConvHwc
{
    /// <summary>x: height × width floats (row-major); y: output pixels of <see cref="PackedTapWeights.Channels"/> floats.</summary>
    public static void Forward(ReadOnlySpan<float> x, int height, int width, PackedTapWeights weights, int stride, int padding, Span<float> y,
        FusedActivation activation = FusedActivation.None)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int c = weights.Channels, k = weights.Kernel;
        DepthwiseConvHwc.Validate(height, width, k, stride, padding);
        int ho = DepthwiseConvHwc.OutputSize(height, k, stride, padding), wo = DepthwiseConvHwc.OutputSize(width, k, stride, padding);
        if (x.Length < (long)height * width) throw new ArgumentException($"SingleChannelConvHwc: x has {x.Length} values, needs {height} x {width}.", nameof(x));
        if (y.Length < (long)ho * wo * c) throw new ArgumentException($"SingleChannelConvHwc: y has {y.Length} values, needs {ho} x {wo} x {c}.", nameof(y));
        fixed (float* px = x, py = y, pw = weights.Data, pb = weights.Bias)
        {
            int ws = weights.Stride;
            var (oxA, oxB) = DepthwiseConvHwc.InteriorColumns(width, wo, k, stride, padding);
            for (int oy = 0; oy < ho; oy++)
            {
                int iy0 = oy * stride - padding;
                int ky0 = Math.Max(0, -iy0), ky1 = Math.Min(k, height - iy0);
                for (int ox = 0; ox < oxA; ox++) Pixel(px, py, pw, pb, ws, width, wo, c, k, stride, padding, oy, iy0, ky0, ky1, ox, activation);
                for (int ox = oxB; ox < wo; ox++) Pixel(px, py, pw, pb, ws, width, wo, c, k, stride, padding, oy, iy0, ky0, ky1, ox, activation);
                // Interior: 4 output pixels per channel vector (4 independent chains). The tap rows are padded to whole
                // vectors, so the last block computes 8 lanes and stores the valid ones.
                for (int ch = 0; ch < c; ch += 8)
                {
                    var bias = Vector256.Load(pb + ch);
                    int n = Math.Min(8, c - ch);
                    int ox = oxA;
                    for (; ox + 4 <= oxB; ox += 4)
                    {
                        Vector256<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias;
                        for (int ky = ky0; ky < ky1; ky++)
                        {
                            float* xRow = px + (long)(iy0 + ky) * width + ox * stride - padding;
                            float* wRow = pw + ky * k * ws + ch;
                            for (int kx = 0; kx < k; kx++)
                            {
                                var wv = Vector256.Load(wRow + kx * ws);
                                a0 = MulAdd(Vector256.Create(xRow[kx]), wv, a0);
                                a1 = MulAdd(Vector256.Create(xRow[kx + stride]), wv, a1);
                                a2 = MulAdd(Vector256.Create(xRow[kx + 2 * stride]), wv, a2);
                                a3 = MulAdd(Vector256.Create(xRow[kx + 3 * stride]), wv, a3);
                            }
                        }
                        float* yp = py + ((long)oy * wo + ox) * c + ch;
                        Store(a0, yp, null, activation, n);
                        Store(a1, yp + c, null, activation, n);
                        Store(a2, yp + 2 * c, null, activation, n);
                        Store(a3, yp + 3 * c, null, activation, n);
                    }
                    for (; ox < oxB; ox++)
                    {
                        var a = bias;
                        for (int ky = ky0; ky < ky1; ky++)
                        {
                            float* xRow = px + (long)(iy0 + ky) * width + ox * stride - padding;
                            float* wRow = pw + ky * k * ws + ch;
                            for (int kx = 0; kx < k; kx++) a = MulAdd(Vector256.Create(xRow[kx]), Vector256.Load(wRow + kx * ws), a);
                        }
                        Store(a, py + ((long)oy * wo + ox) * c + ch, null, activation, n);
                    }
                }
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
        float* xOrigin = px + (long)iy0 * width + ix0;
        for (int ch = 0; ch < c; ch += 8)
        {
            var a = Vector256.Load(pb + ch);
            for (int ky = ky0; ky < ky1; ky++)
                for (int kx = kx0; kx < kx1; kx++)
                    a = MulAdd(Vector256.Create(xOrigin[(long)ky * width + kx]), Vector256.Load(pw + (ky * k + kx) * ws + ch), a);
            Store(a, yp + ch, null, activation, Math.Min(8, c - ch));
        }
    }
}
