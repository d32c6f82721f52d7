using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// The losses on the device (class labels arrive as exact float values), as the CPU ops: softmax cross-entropy with label
/// smoothing (mean over rows), binary cross-entropy with logits (mean over entries) and Hinton's KL distillation. The loss is one group's tree sum of per-row / per-entry terms
/// (deterministic), written to a one-element device tensor: only that value needs to come back to the host.
/// </summary>
internal static class LossGpu
{
    /// <summary>One group: loss[0] = sum over rows of lse - (1 - eps) x_label - eps/K sum x, divided by N.</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void SoftmaxCrossEntropyKernel(ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> loss, int n, int k, float eps)
    {
        float sum = 0f;
        for (int r = Group.IdxX; r < n; r += Group.DimX)
        {
            float lse = LogSumExp(logits, r * k, k), rowSum = 0f;
            for (int j = 0; j < k; j++) rowSum += logits[r * k + j];
            sum += lse - (1f - eps) * logits[r * k + (int)labels[r]] - eps / k * rowSum;
        }
        float total = GroupReduction.Sum(sum);
        if (Group.IdxX == 0) loss[0] = total / n;
    }

    /// <summary>log sum_j exp(x_j / temperature) over one row, shifted by the maximum (stable).</summary>
    private static float LogSumExp(ArrayView<float> x, int at, int k, float temperature = 1f)
    {
        float max = x[at] / temperature;
        for (int j = 1; j < k; j++) max = XMath.Max(max, x[at + j] / temperature);
        float s = 0f;
        for (int j = 0; j < k; j++) s += XMath.Exp(x[at + j] / temperature - max);
        return max + XMath.Log(s);
    }

    /// <summary>g[r, j] += (softmax - q) * dLoss / N, one thread per row.</summary>
    [GpuKernel]
    private static void SoftmaxCrossEntropyBackwardKernel(Index1D r, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> gLoss, ArrayView<float> g, int k, float eps, float invN)
    {
        float lse = LogSumExp(logits, r * k, k), scale = gLoss[0] * invN;
        for (int j = 0; j < k; j++)
        {
            float q = eps / k + (j == (int)labels[r] ? 1f - eps : 0f);
            g[r * k + j] += (XMath.Exp(logits[r * k + j] - lse) - q) * scale;
        }
    }

    /// <summary>One group: loss[0] = mean of max(x, 0) - x t + log(1 + exp(-|x|)).</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void BinaryCrossEntropyKernel(ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> loss, int count)
    {
        float sum = 0f;
        for (int i = Group.IdxX; i < count; i += Group.DimX)
        {
            float x = logits[i];
            sum += XMath.Max(x, 0f) - x * targets[i] + XMath.Log(1f + XMath.Exp(-XMath.Abs(x)));
        }
        float total = GroupReduction.Sum(sum);
        if (Group.IdxX == 0) loss[0] = total / count;
    }

    /// <summary>g += (sigmoid(x) - t) * dLoss / count.</summary>
    [GpuKernel]
    private static void BinaryCrossEntropyBackwardKernel(Index1D i, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> gLoss, ArrayView<float> g, float invCount)
    {
        float x = logits[i];
        float sig = x >= 0f ? 1f / (1f + XMath.Exp(-x)) : XMath.Exp(x) / (1f + XMath.Exp(x));
        g[i] += (sig - targets[i]) * gLoss[0] * invCount;
    }

    /// <summary>One group: loss[0] = T^2 / N sum over rows and classes of p (log p - log q), p = softmax(t/T), q = softmax(s/T).</summary>
    [GpuKernel(explicitlyGrouped: true)]
    private static void KlDistillationKernel(ArrayView<float> student, ArrayView<float> teacher, ArrayView<float> loss, int n, int k, float temperature)
    {
        float sum = 0f;
        for (int r = Group.IdxX; r < n; r += Group.DimX)
        {
            float lseS = LogSumExp(student, r * k, k, temperature), lseT = LogSumExp(teacher, r * k, k, temperature);
            for (int j = 0; j < k; j++)
            {
                float logP = teacher[r * k + j] / temperature - lseT, p = XMath.Exp(logP);
                if (p > 0f) sum += p * (logP - (student[r * k + j] / temperature - lseS)); // 0 log 0 = 0
            }
        }
        float total = GroupReduction.Sum(sum);
        if (Group.IdxX == 0) loss[0] = total / n * temperature * temperature;
    }

    /// <summary>g[r, j] += T (q - p) dLoss / N, one thread per row.</summary>
    [GpuKernel]
    private static void KlDistillationBackwardKernel(Index1D r, ArrayView<float> student, ArrayView<float> teacher, ArrayView<float> gLoss, ArrayView<float> g, int k, float temperature, float invN)
    {
        float lseS = LogSumExp(student, r * k, k, temperature), lseT = LogSumExp(teacher, r * k, k, temperature);
        float scale = gLoss[0] * temperature * invN;
        for (int j = 0; j < k; j++)
            g[r * k + j] += (XMath.Exp(student[r * k + j] / temperature - lseS) - XMath.Exp(teacher[r * k + j] / temperature - lseT)) * scale;
    }

    public static void KlDistillation(GpuContext gpu, ArrayView<float> student, ArrayView<float> teacher, ArrayView<float> loss, int n, int k, float temperature)
        => gpu.Kernel("Loss.KlDistillation", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float>(KlDistillationKernel))(
            new KernelConfig(1, gpu.ReductionGroupSize), student, teacher, loss, n, k, temperature);

    public static void KlDistillationBackward(GpuContext gpu, ArrayView<float> student, ArrayView<float> teacher, ArrayView<float> gLoss, ArrayView<float> g, int n, int k, float temperature)
        => gpu.Kernel("Loss.KlDistillationBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float>(KlDistillationBackwardKernel))(
            n, student, teacher, gLoss, g, k, temperature, 1f / n);

    public static void SoftmaxCrossEntropy(GpuContext gpu, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> loss, int n, int k, float eps)
        => gpu.Kernel("Loss.SoftmaxCrossEntropy", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float>(SoftmaxCrossEntropyKernel))(
            new KernelConfig(1, gpu.ReductionGroupSize), logits, labels, loss, n, k, eps);

    public static void SoftmaxCrossEntropyBackward(GpuContext gpu, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> gLoss, ArrayView<float> g, int n, int k, float eps)
        => gpu.Kernel("Loss.SoftmaxCrossEntropyBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, float>(SoftmaxCrossEntropyBackwardKernel))(
            n, logits, labels, gLoss, g, k, eps, 1f / n);

    public static void BinaryCrossEntropy(GpuContext gpu, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> loss, int count)
        => gpu.Kernel("Loss.BinaryCrossEntropy", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(BinaryCrossEntropyKernel))(
            new KernelConfig(1, gpu.ReductionGroupSize), logits, targets, loss, count);

    public static void BinaryCrossEntropyBackward(GpuContext gpu, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> gLoss, ArrayView<float> g, int count)
        => gpu.Kernel("Loss.BinaryCrossEntropyBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(BinaryCrossEntropyBackwardKernel))(
            count, logits, targets, gLoss, g, 1f / count);
}
