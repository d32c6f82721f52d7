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
            for (int oy = 0; oy < ho; oy++)
            {
                int iy0 = oy * stride - padding;
                int ky0 = Math.Max(0, -iy0), ky1 = Math.Min(k, height - iy0);
                for (int ox = 0; ox < wo; ox++)
                {
                    int ix0 = ox * stride - padding;
                    int kx0 = Math.Max(0, -ix0), kx1 = Math.Min(k, width - ix0);
                    float* yp = py + ((long)oy * wo + ox) * c;
                    float* xOrigin = px + (long)iy0 * width + ix0;
                    int ch = 0;
                    for (; ch + 16 <= c; ch += 16)
                    {
                        Vector256<float> a0 = Vector256.Load(pb + ch), a1 = Vector256.Load(pb + ch + 8);
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                            {
                                var s = Vector256.Create(xOrigin[(long)ky * width + kx]);
                                float* wp = pw + (ky * k + kx) * ws + ch;
                                a0 = MulAdd(s, Vector256.Load(wp), a0);
                                a1 = MulAdd(s, Vector256.Load(wp + 8), a1);
                            }
                        Store(a0, yp + ch, null, activation, 8);
                        Store(a1, yp + ch + 8, null, activation, 8);
                    }
                    for (; ch < c; ch += 8)
                    {
                        // The tap rows are padded to whole vectors, so the last block computes 8 lanes and stores the valid ones.
                        var a = Vector256.Load(pb + ch);
                        for (int ky = ky0; ky < ky1; ky++)
                            for (int kx = kx0; kx < kx1; kx++)
                                a = MulAdd(Vector256.Create(xOrigin[(long)ky * width + kx]), Vector256.Load(pw + (ky * k + kx) * ws + ch), a);
                        Store(a, yp + ch, null, activation, Math.Min(8, c - ch));
                    }
                }
            }
        }
    }
}
