using System.Numerics.Tensors;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Scalar reference versions (float64 throughout, <see cref="DeterministicSum"/> order) of the batch-norm kernels in
/// BatchNormKernels.cs; tests compare the fast kernels against these.
/// Per-channel kernels of 2-D batch normalization over NCHW data viewed as (batch, channels, hw). Statistics are
/// reduced in float64 in a fixed order (<see cref="DeterministicSum"/>: deterministic, and accurate enough to combine exactly across batches).
/// Backward kernels ADD into their outputs.
/// </summary>
public static partial class BatchNormKernels
{
    /// <summary>
    /// Per-channel mean and M2 = sum of squared deviations from that mean, over batch and hw, by two passes in
    /// float64 (the second pass avoids the cancellation of sum(x^2) - n*mean^2).
    /// </summary>
    internal static void ChannelMeanAndM2Simple(ReadOnlySpan<float> x, int batch, int channels, int hw, Span<double> mean, Span<double> m2)
    {
        long count = (long)batch * hw;
        for (int c = 0; c < channels; c++)
        {
            double s = 0;
            for (int n = 0; n < batch; n++) s += DeterministicSum.Sum(x.Slice((n * channels + c) * hw, hw));
            double mu = s / count, q = 0;
            for (int n = 0; n < batch; n++) q += DeterministicSum.SumSquaredDeviations(x.Slice((n * channels + c) * hw, hw), mu);
            mean[c] = mu;
            m2[c] = q;
        }
    }

    /// <summary>y = (x - center[c]) * scale[c] + shift[c] (overwrites y).</summary>
    internal static void NormalizeSimple(ReadOnlySpan<float> x, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int off = (n * channels + c) * hw;
                var yp = y.Slice(off, hw);
                TensorPrimitives.Subtract(x.Slice(off, hw), center[c], yp);
                TensorPrimitives.Multiply(yp, scale[c], yp);
                TensorPrimitives.Add(yp, shift[c], yp);
            }
    }

    /// <summary>
    /// Per-channel sums over batch and hw of dy and of dy * (x - center[c]), in float64 (gamma, beta and the
    /// training-mode input gradient all derive from these two).
    /// </summary>
    internal static void GradientSumsSimple(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, Span<double> sumGy, Span<double> sumGyCentered)
    {
        for (int c = 0; c < channels; c++)
        {
            double sg = 0, sgx = 0, mu = center[c];
            for (int n = 0; n < batch; n++)
            {
                int off = (n * channels + c) * hw;
                sg += DeterministicSum.Sum(gy.Slice(off, hw));
                sgx += DeterministicSum.DotCentered(gy.Slice(off, hw), x.Slice(off, hw), mu);
            }
            sumGy[c] = sg;
            sumGyCentered[c] = sgx;
        }
    }

    /// <summary>gx += gyScale[c] * gy + xScale[c] * (x - center[c]) + constant[c] (covers both training and eval mode).</summary>
    internal static void InputGradientAddSimple(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, int batch, int channels, int hw,
        ReadOnlySpan<float> center, ReadOnlySpan<float> gyScale, ReadOnlySpan<float> xScale, ReadOnlySpan<float> constant, Span<float> gx)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int off = (n * channels + c) * hw;
                var xp = x.Slice(off, hw);
                var gp = gy.Slice(off, hw);
                var dp = gx.Slice(off, hw);
                float a = gyScale[c], k = xScale[c], mu = center[c], b = constant[c];
                for (int i = 0; i < hw; i++) dp[i] += a * gp[i] + k * (xp[i] - mu) + b;
            }
    }
}
