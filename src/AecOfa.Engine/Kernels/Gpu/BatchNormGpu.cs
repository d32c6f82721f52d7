using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>Shape and settings of a device batch norm over NCHW, as a kernel argument.</summary>
internal struct BatchNormShape
{
    public int Batch, Channels, Hw, Activation;
    public float Eps, Momentum;

    public readonly int Count => Batch * Hw;
}

/// <summary>
/// Batch norm on the device with an optional fused activation (<see cref="GpuActivation"/>), PyTorch semantics as the CPU
/// op. Per-channel work (statistics, gradient sums) is one group per channel with a two-pass mean / centered M2 and
/// shared-memory tree sums in float64, as the host path sums them (deterministic); element work is one thread per
/// element in float32. Coefficients per channel live in a
/// 4C buffer: center, 1/std, gamma/std, beta; backward needs only x, gy and those.
/// </summary>
internal static class BatchNormGpu
{
    /// <summary>Group c: batch mean and M2 of channel c into stats (mean at c, M2 at C + c), and its coefficients.</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void StatsKernel(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> stats, ArrayView<float> coeff, BatchNormShape s)
    {
        int c = Grid.IdxX, count = s.Count;
        double sum = 0;
        for (int p = Group.IdxX; p < count; p += Group.DimX) sum += x[Element(s, c, p)];
        double mean = GroupReduction.Sum(sum) / count;
        double sq = 0;
        for (int p = Group.IdxX; p < count; p += Group.DimX)
        {
            double d = x[Element(s, c, p)] - mean;
            sq += d * d;
        }
        double m2 = GroupReduction.Sum(sq);
        if (Group.IdxX != 0) return;
        stats[c] = (float)mean;
        stats[s.Channels + c] = (float)m2;
        float invStd = (float)(1.0 / XMath.Sqrt(m2 / count + s.Eps));
        WriteCoefficients(coeff, s.Channels, c, (float)mean, invStd, gamma[c], beta[c]);
    }

    /// <summary>Eval mode: coefficients from the running statistics, one thread per channel.</summary>
    [GpuKernel]
    private static void EvalCoefficientsKernel(Index1D c, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> coeff, BatchNormShape s)
        => WriteCoefficients(coeff, s.Channels, c, runningMean[c], 1f / XMath.Sqrt(runningVar[c] + s.Eps), gamma[c], beta[c]);

    private static void WriteCoefficients(ArrayView<float> coeff, int channels, int c, float center, float invStd, float gamma, float beta)
    {
        coeff[c] = center;
        coeff[channels + c] = invStd;
        coeff[2 * channels + c] = gamma * invStd;
        coeff[3 * channels + c] = beta;
    }

    /// <summary>Offset of the p-th element (over batch and positions) of channel c.</summary>
    private static int Element(in BatchNormShape s, int c, int p) => (p / s.Hw * s.Channels + c) * s.Hw + p % s.Hw;

    [GpuKernel]
    private static void NormalizeKernel(Index1D i, ArrayView<float> x, ArrayView<float> coeff, ArrayView<float> y, BatchNormShape s)
    {
        int c = i / s.Hw % s.Channels;
        y[i] = ActivationGpu.Forward((x[i] - coeff[c]) * coeff[2 * s.Channels + c] + coeff[3 * s.Channels + c], s.Activation);
    }

    /// <summary>running = (1 - momentum) running + momentum batch (unbiased variance), one thread per channel.</summary>
    [GpuKernel]
    private static void UpdateRunningKernel(Index1D c, ArrayView<float> stats, ArrayView<float> runningMean, ArrayView<float> runningVar, BatchNormShape s)
    {
        float unbiased = s.Count > 1 ? stats[s.Channels + c] / (s.Count - 1) : 0f;
        runningMean[c] = (1f - s.Momentum) * runningMean[c] + s.Momentum * stats[c];
        runningVar[c] = (1f - s.Momentum) * runningVar[c] + s.Momentum * unbiased;
    }

    /// <summary>
    /// Group c: sumG = sum of dL/dz and sumGc = sum of dL/dz (x - center) over channel c (z the pre-activation); adds the
    /// gamma and beta gradients, and writes the input-gradient coefficients k, b (zero in eval mode: statistics fixed).
    /// </summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void GradientSumsKernel(ArrayView<float> x, ArrayView<float> gy, ArrayView<float> coeff, ArrayView<float> gGamma, ArrayView<float> gBeta, ArrayView<float> kb, BatchNormShape s, int flags)
    {
        int c = Grid.IdxX, count = s.Count, ch = s.Channels;
        float center = coeff[c], scale = coeff[2 * ch + c], shift = coeff[3 * ch + c];
        double sumG = 0, sumGc = 0;
        for (int p = Group.IdxX; p < count; p += Group.DimX)
        {
            int e = Element(s, c, p);
            float xc = x[e] - center;
            float gz = ActivationGpu.Gradient(xc * scale + shift, gy[e], s.Activation);
            sumG += gz;
            sumGc += (double)gz * xc;
        }
        sumG = GroupReduction.Sum(sumG);
        sumGc = GroupReduction.Sum(sumGc);
        if (Group.IdxX != 0) return;
        double invStd = coeff[ch + c];
        if ((flags & GammaFlag) != 0) gGamma[c] += (float)(sumGc * invStd);
        if ((flags & BetaFlag) != 0) gBeta[c] += (float)sumG;
        bool train = (flags & TrainFlag) != 0;
        kb[c] = train ? (float)(-scale * invStd * invStd * sumGc / count) : 0f;
        kb[ch + c] = train ? (float)(-scale * sumG / count) : 0f;
    }

    private const int GammaFlag = 1, BetaFlag = 2, TrainFlag = 4;

    /// <summary>dx = gamma/std dL/dz + k (x - center) + b per channel.</summary>
    [GpuKernel]
    private static void InputGradientKernel(Index1D i, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> coeff, ArrayView<float> kb, ArrayView<float> gx, BatchNormShape s, int accumulate)
    {
        int c = i / s.Hw % s.Channels, ch = s.Channels;
        float xc = x[i] - coeff[c], scale = coeff[2 * ch + c];
        float gz = ActivationGpu.Gradient(xc * scale + coeff[3 * ch + c], gy[i], s.Activation);
        float g = scale * gz + kb[c] * xc + kb[ch + c];
        gx[i] = accumulate != 0 ? gx[i] + g : g;
    }

    /// <summary>Training statistics: stats (2C: mean, M2) and coeff (4C) from x.</summary>
    public static void Statistics(GpuContext gpu, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> stats, ArrayView<float> coeff, BatchNormShape s)
        => gpu.Kernel("BatchNorm.Stats", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(StatsKernel))(
            new KernelConfig(s.Channels, gpu.ReductionGroupSize), x, gamma, beta, stats, coeff, s);

    /// <summary>Eval coefficients (4C) from the running statistics.</summary>
    public static void EvalCoefficients(GpuContext gpu, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> coeff, BatchNormShape s)
        => gpu.Kernel("BatchNorm.EvalCoefficients", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(EvalCoefficientsKernel))(
            s.Channels, gamma, beta, runningMean, runningVar, coeff, s);

    /// <summary>y = act((x - center) gamma/std + beta).</summary>
    public static void Normalize(GpuContext gpu, ArrayView<float> x, ArrayView<float> coeff, ArrayView<float> y, BatchNormShape s)
    {
        if (y.Length == 0) return;
        gpu.Kernel("BatchNorm.Normalize", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(NormalizeKernel))((int)y.Length, x, coeff, y, s);
    }

    public static void UpdateRunning(GpuContext gpu, ArrayView<float> stats, ArrayView<float> runningMean, ArrayView<float> runningVar, BatchNormShape s)
        => gpu.Kernel("BatchNorm.UpdateRunning", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape>(UpdateRunningKernel))(
            s.Channels, stats, runningMean, runningVar, s);

    /// <summary>
    /// Backward: adds the gamma / beta gradients (views may be empty when not wanted) and writes or adds the input
    /// gradient (gx empty when not wanted). <paramref name="training"/>: the statistics depended on x.
    /// </summary>
    public static void Backward(GpuContext gpu, ArrayView<float> x, ArrayView<float> gy, ArrayView<float> coeff, ArrayView<float> kbScratch,
        ArrayView<float> gGamma, ArrayView<float> gBeta, ArrayView<float> gx, BatchNormShape s, bool training, bool accumulate)
    {
        int flags = (gGamma.Length > 0 ? GammaFlag : 0) | (gBeta.Length > 0 ? BetaFlag : 0) | (training ? TrainFlag : 0);
        // An unused gradient still needs a valid view argument: the scratch stands in (never written: flag off).
        gpu.Kernel("BatchNorm.GradientSums", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape, int>(GradientSumsKernel))(
            new KernelConfig(s.Channels, gpu.ReductionGroupSize), x, gy, coeff, gGamma.Length > 0 ? gGamma : kbScratch, gBeta.Length > 0 ? gBeta : kbScratch, kbScratch, s, flags);
        if (gx.Length == 0) return;
        gpu.Kernel("BatchNorm.InputGradient", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormShape, int>(InputGradientKernel))(
            (int)gx.Length, x, gy, coeff, kbScratch, gx, s, accumulate ? 1 : 0);
    }
}
