using AecOfa.Engine.Ops.Device;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>
/// 2-D batch normalization over NCHW with explicit gamma, beta (and running statistics in eval mode), so that
/// elastic layers can pass prefix slices of them. The module (Nn.BatchNorm2d) owns the state.
/// </summary>
public static partial class TensorOps
{
    /// <summary>
    /// Training mode (also used for BN recalibration): normalizes with this batch's mean and biased variance,
    /// y = (x - mean) / sqrt(var + eps) * gamma + beta, and returns the batch statistics in
    /// <paramref name="stats"/> (feed them to <see cref="BatchNormBatchStats.UpdateRunning(Span{float}, Span{float}, float)"/> or a
    /// <see cref="BatchNormStatsAccumulator"/>). Gradients flow through the batch statistics, as in PyTorch.
    /// </summary>
    public static Tensor BatchNorm2dTrain(Tensor x, Tensor gamma, Tensor beta, float eps, out BatchNormBatchStats stats)
    {
        var (batch, channels, hw) = CheckBatchNorm("BatchNorm2dTrain", x, gamma, beta, eps);
        var mean = new double[channels];
        var m2 = new double[channels];
        var y = BatchNorm2dTrain(x, gamma, beta, eps, mean, m2);
        stats = new BatchNormBatchStats((long)batch * hw, mean, m2);
        return y;
    }

    /// <summary>
    /// As the public overload, with the batch mean and M2 written into caller-owned buffers of exactly C elements
    /// (the BatchNorm2d module reuses its own, so a training step allocates no statistics arrays).
    /// </summary>
    internal static Tensor BatchNorm2dTrain(Tensor x, Tensor gamma, Tensor beta, float eps, double[] mean, double[] m2)
        => BatchNorm2dTrain(x, gamma, beta, eps, mean, m2, FusedActivation.None);

    /// <summary>
    /// Training-mode batch norm followed by an activation in the same element pass: y = act(BN(x)). Equals
    /// BatchNorm2dTrain then ReLU/HardSwish, without the intermediate tensor or the activation's own passes; backward
    /// recomputes the pre-activation from x. Batch mean and M2 go into caller-owned buffers of C elements.
    /// </summary>
    public static Tensor BatchNorm2dTrain(Tensor x, Tensor gamma, Tensor beta, float eps, double[] mean, double[] m2, FusedActivation activation)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(m2);
        var (batch, channels, hw) = CheckBatchNorm("BatchNorm2dTrain", x, gamma, beta, eps);
        if ((long)batch * hw < 2)
            throw new ArgumentException($"BatchNorm2dTrain: expected more than 1 value per channel in training mode, got x {ShapeUtil.Format(x.Shape)}.", nameof(x));
        if (mean.Length != channels || m2.Length != channels)
            throw new ArgumentException($"BatchNorm2dTrain: statistics buffers of {mean.Length} and {m2.Length} elements for {channels} channels.");
        if (!x.IsOnCpu) return BatchNorm2dTrainOnDevice(x, gamma, beta, eps, mean, m2, activation);
        BatchNormKernels.ChannelMeanAndM2(x.Span, batch, channels, hw, mean, m2);
        long count = (long)batch * hw;

        // center, 1/std, gamma/std and beta per channel, in one buffer (from the arena when one is active); the
        // backward pass recomputes the pre-activation from exactly these values.
        var coefficients = Tensor.ForOp(false, 4 * channels).Data;
        for (int c = 0; c < channels; c++)
        {
            float invStd = (float)(1.0 / Math.Sqrt(m2[c] / count + eps));
            coefficients[c] = (float)mean[c];
            coefficients[channels + c] = invStd;
            coefficients[2 * channels + c] = gamma.Data[c] * invStd;
            coefficients[3 * channels + c] = beta.Data[c];
        }
        var y = Tensor.ForOp(false, x.Shape);
        BatchNormKernels.Normalize(x.Span, batch, channels, hw, coefficients.AsSpan(0, channels), coefficients.AsSpan(2 * channels, channels),
            coefficients.AsSpan(3 * channels, channels), y.Span, activation);
        string opName = activation switch
        {
            FusedActivation.ReLU => "BatchNorm2dTrain+ReLU",
            FusedActivation.HardSwish => "BatchNorm2dTrain+HardSwish",
            _ => "BatchNorm2dTrain",
        };
        return Autograd.Record(y, opName, new[] { x, gamma, beta }, o =>
        {
            var gy = o.Grad!.Span;
            var center = coefficients.AsSpan(0, channels);
            var invStd = coefficients.AsSpan(channels, channels);
            var scale = coefficients.AsSpan(2 * channels, channels);
            var shift = coefficients.AsSpan(3 * channels, channels);
            var sums = System.Buffers.ArrayPool<double>.Shared.Rent(2 * channels);
            var kb = System.Buffers.ArrayPool<float>.Shared.Rent(2 * channels);
            try
            {
                var sumG = sums.AsSpan(0, channels);
                var sumGc = sums.AsSpan(channels, channels);
                BatchNormKernels.GradientSums(x.Span, gy, batch, channels, hw, center, sumG, sumGc, activation, scale, shift);
                if (gamma.RequiresGrad)
                {
                    var gg = gamma.GradForAccumulate();
                    for (int c = 0; c < channels; c++) gg[c] += (float)(sumGc[c] * invStd[c]);
                }
                if (beta.RequiresGrad)
                {
                    var gb = beta.GradForAccumulate();
                    for (int c = 0; c < channels; c++) gb[c] += (float)sumG[c];
                }
                if (x.RequiresGrad)
                {
                    // dx = gamma*invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), expanded per channel.
                    var k = kb.AsSpan(0, channels);
                    var b = kb.AsSpan(channels, channels);
                    for (int c = 0; c < channels; c++)
                    {
                        double a = scale[c], st = invStd[c];
                        k[c] = (float)(-a * st * st * sumGc[c] / count);
                        b[c] = (float)(-a * sumG[c] / count);
                    }
                    var gx = x.GradForWrite(out bool accumulate);
                    BatchNormKernels.InputGradient(x.Span, gy, batch, channels, hw, center, scale, k, b, gx, accumulate, activation, scale, shift);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<float>.Shared.Return(kb);
                System.Buffers.ArrayPool<double>.Shared.Return(sums);
            }
        });
    }

    /// <summary>
    /// Eval mode: normalizes with the given running statistics, y = (x - runningMean) / sqrt(runningVar + eps) *
    /// gamma + beta. Gradients flow into x, gamma and beta with the statistics held fixed.
    /// </summary>
    public static Tensor BatchNorm2dEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps)
        => BatchNorm2dEval(x, gamma, beta, runningMean, runningVar, eps, FusedActivation.None);

    /// <summary>
    /// Eval mode followed by an activation, y = act(BN(x)). Without gradients (inference) the activation runs inside the
    /// normalization pass; when a gradient is recorded it is the separate op (eval-mode backward is rare).
    /// </summary>
    public static Tensor BatchNorm2dEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps, FusedActivation activation)
    {
        if (!x.IsOnCpu)
        {
            CheckBatchNorm("BatchNorm2dEval", x, gamma, beta, eps);
            return DeviceOps.BatchNormEval(x, gamma, beta, runningMean, runningVar, eps, activation);
        }
        bool fuse = activation != FusedActivation.None && !Tensor.ShouldRecord([x, gamma, beta]);
        var y = BatchNorm2dEvalCore(x, gamma, beta, runningMean, runningVar, eps, fuse ? activation : FusedActivation.None);
        if (fuse || activation == FusedActivation.None) return y;
        return activation == FusedActivation.ReLU ? ReLU(y) : HardSwish(y);
    }

    private static Tensor BatchNorm2dEvalCore(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps, FusedActivation activation)
    {
        var (batch, channels, hw) = CheckBatchNorm("BatchNorm2dEval", x, gamma, beta, eps);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        if (runningMean.Numel != channels || runningVar.Numel != channels)
            throw new ArgumentException($"BatchNorm2dEval: running mean {ShapeUtil.Format(runningMean.Shape)} and var {ShapeUtil.Format(runningVar.Shape)} must have {channels} elements for x {ShapeUtil.Format(x.Shape)}.");
        // center (a copy of the running mean), 1/std and gamma/std per channel, in one buffer from the arena when one
        // is active (no per-call arrays in inference).
        var coefficients = Tensor.ForOp(false, 3 * channels).Data;
        var center = coefficients.AsMemory(0, channels);
        var invStd = coefficients.AsMemory(channels, channels);
        var scale = coefficients.AsMemory(2 * channels, channels);
        for (int c = 0; c < channels; c++)
        {
            if (!(runningVar.Data[c] + eps > 0))
                throw new ArgumentException($"BatchNorm2dEval: running variance of channel {c} is {runningVar.Data[c]}; var + eps must be > 0.", nameof(runningVar));
            float inv = (float)(1.0 / Math.Sqrt((double)runningVar.Data[c] + eps));
            coefficients[c] = runningMean.Data[c];
            coefficients[channels + c] = inv;
            coefficients[2 * channels + c] = gamma.Data[c] * inv;
        }
        var y = Tensor.ForOp(false, x.Shape);
        BatchNormKernels.Normalize(x.Span, batch, channels, hw, center.Span, scale.Span, beta.Span, y.Span, activation);
        // A fused activation only runs when nothing records (see the caller); Record then just marks the profiler.
        string opName = activation switch
        {
            FusedActivation.ReLU => "BatchNorm2dEval+ReLU",
            FusedActivation.HardSwish => "BatchNorm2dEval+HardSwish",
            _ => "BatchNorm2dEval",
        };
        return Autograd.Record(y, opName, new[] { x, gamma, beta }, o =>
        {
            var gy = o.Grad!.Span;
            if (gamma.RequiresGrad || beta.RequiresGrad)
            {
                var sumG = new double[channels];
                var sumGc = new double[channels];
                BatchNormKernels.GradientSums(x.Span, gy, batch, channels, hw, center.Span, sumG, sumGc);
                if (gamma.RequiresGrad)
                {
                    var gg = gamma.GradForAccumulate();
                    for (int c = 0; c < channels; c++) gg[c] += (float)(sumGc[c] * invStd.Span[c]);
                }
                if (beta.RequiresGrad)
                {
                    var gb = beta.GradForAccumulate();
                    for (int c = 0; c < channels; c++) gb[c] += (float)sumG[c];
                }
            }
            if (x.RequiresGrad)
            {
                var zeros = new float[channels];
                BatchNormKernels.InputGradientAdd(x.Span, gy, batch, channels, hw, center.Span, scale.Span, zeros, zeros, x.GradForAccumulate());
            }
        });
    }

    private static (int Batch, int Channels, int Hw) CheckBatchNorm(string op, Tensor x, Tensor gamma, Tensor beta, float eps)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        ShapeUtil.RequireRank(op, "x", x, 4);
        int channels = x.Shape[1];
        if (gamma.Numel != channels || beta.Numel != channels)
            throw new ArgumentException($"{op}: gamma {ShapeUtil.Format(gamma.Shape)} and beta {ShapeUtil.Format(beta.Shape)} must have {channels} elements for x {ShapeUtil.Format(x.Shape)}.");
        if (!(eps >= 0f)) throw new ArgumentException($"{op}: eps must be >= 0, got {eps}.", nameof(eps));
        return (x.Shape[0], channels, x.Shape[2] * x.Shape[3]);
    }

    /// <summary>
    /// Training-mode batch norm (+ activation) that also updates the first C entries of the running statistics
    /// (momentum, unbiased variance) on the tensors' device, so that elastic layers with C active channels of larger
    /// buffers need no host round trip on an accelerator.
    /// </summary>
    public static Tensor BatchNorm2dTrain(Tensor x, Tensor gamma, Tensor beta, float eps, FusedActivation activation, Tensor runningMean, Tensor runningVar, float momentum)
    {
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        var (batch, channels, hw) = CheckBatchNorm("BatchNorm2dTrain", x, gamma, beta, eps);
        if (runningMean.Numel < channels || runningVar.Numel < channels)
            throw new ArgumentException($"BatchNorm2dTrain: running statistics of {runningMean.Numel} and {runningVar.Numel} elements for {channels} channels.");
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentException($"BatchNorm2dTrain: momentum must be in [0, 1], got {momentum}.", nameof(momentum));
        if (x.IsOnCpu)
        {
            double[] mean = new double[channels], m2 = new double[channels];
            var yh = BatchNorm2dTrain(x, gamma, beta, eps, mean, m2, activation);
            DeferredWrites.UpdateRunning((long)batch * hw, mean, m2, runningMean, runningVar, channels, momentum);
            return yh;
        }
        var y = DeviceOps.BatchNormTrain(x, gamma, beta, eps, activation, out var stats);
        DeviceOps.UpdateRunning(stats, runningMean, runningVar, (long)batch * hw, momentum, channels);
        return y;
    }

    /// <summary>The device path of the statistics-returning overload: the batch mean and M2 come back to the host
    /// (recalibration reads them there); training through the module keeps them on the device instead.</summary>
    private static Tensor BatchNorm2dTrainOnDevice(Tensor x, Tensor gamma, Tensor beta, float eps, double[] mean, double[] m2, FusedActivation activation)
    {
        var y = DeviceOps.BatchNormTrain(x, gamma, beta, eps, activation, out var stats);
        var host = stats.ToArray();
        int channels = mean.Length;
        for (int c = 0; c < channels; c++)
        {
            mean[c] = host[c];
            m2[c] = host[channels + c];
        }
        return y;
    }
}
