using AecOfa.Engine.Kernels;
using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops.Device;

/// <summary>Batch norm (train, eval, running statistics) on the device.</summary>
internal static partial class DeviceOps
{
    /// <summary>
    /// Training-mode batch norm (+ fused activation) on the device; <paramref name="stats"/> receives the batch mean and
    /// M2 (2C floats on the device) for the running statistics or a recalibration.
    /// </summary>
    public static Tensor BatchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, FusedActivation activation, out Tensor stats)
    {
        var device = Tensor.CommonDevice("BatchNorm2dTrain", x, gamma, beta);
        var gpu = device.Accelerated;
        var s = ShapeOf(x, eps, activation);
        stats = Tensor.OnDevice(device, false, 2 * s.Channels);
        var coeff = Tensor.OnDevice(device, false, 4 * s.Channels);
        BatchNormGpu.Statistics(gpu, x.View, gamma.View, beta.View, stats.View, coeff.View, s);
        var y = Tensor.OnDevice(device, false, x.Shape);
        BatchNormGpu.Normalize(gpu, x.View, coeff.View, y.View, s);
        return RecordBatchNorm(y, activation == FusedActivation.None ? "BatchNorm2dTrain" : "BatchNorm2dTrain+" + activation, x, gamma, beta, coeff, s, training: true);
    }

    /// <summary>Eval-mode batch norm (+ activation) with running statistics on the device.</summary>
    public static Tensor BatchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps, FusedActivation activation)
    {
        var device = Tensor.CommonDevice("BatchNorm2dEval", x, gamma, beta, runningMean, runningVar);
        var gpu = device.Accelerated;
        var s = ShapeOf(x, eps, activation);
        var coeff = Tensor.OnDevice(device, false, 4 * s.Channels);
        BatchNormGpu.EvalCoefficients(gpu, gamma.View, beta.View, runningMean.View, runningVar.View, coeff.View, s);
        var y = Tensor.OnDevice(device, false, x.Shape);
        BatchNormGpu.Normalize(gpu, x.View, coeff.View, y.View, s);
        return RecordBatchNorm(y, activation == FusedActivation.None ? "BatchNorm2dEval" : "BatchNorm2dEval+" + activation, x, gamma, beta, coeff, s, training: false);
    }

    /// <summary>running = (1 - momentum) running + momentum batch, on the device (no host round trip per step).</summary>
    /// <summary>Updates the first <paramref name="channels"/> running entries (all when 0).</summary>
    public static void UpdateRunning(Tensor stats, Tensor runningMean, Tensor runningVar, long count, float momentum, int channels = 0)
    {
        var device = Tensor.CommonDevice("BatchNorm2d running statistics", stats, runningMean, runningVar);
        var s = new BatchNormShape { Batch = checked((int)count), Hw = 1, Channels = channels > 0 ? channels : runningMean.Numel, Momentum = momentum };
        BatchNormGpu.UpdateRunning(device.Accelerated, stats.View, runningMean.View, runningVar.View, s);
    }

    private static BatchNormShape ShapeOf(Tensor x, float eps, FusedActivation activation) => new()
    {
        Batch = x.Shape[0], Channels = x.Shape[1], Hw = x.Shape[2] * x.Shape[3], Eps = eps, Activation = (int)activation,
    };

    private static Tensor RecordBatchNorm(Tensor y, string opName, Tensor x, Tensor gamma, Tensor beta, Tensor coeff, BatchNormShape s, bool training)
        => Autograd.Record(y, opName, new[] { x, gamma, beta }, o =>
        {
            var gpu = y.Device.Accelerated;
            var kb = Tensor.OnDevice(y.Device, false, 2 * s.Channels);
            bool accumulate = false;
            var gx = x.RequiresGrad ? x.DeviceGradForWrite(out accumulate).View : default;
            BatchNormGpu.Backward(gpu, x.View, o.Grad!.View, coeff.View, kb.View,
                gamma.RequiresGrad ? gamma.DeviceGradForAccumulate().View : default, beta.RequiresGrad ? beta.DeviceGradForAccumulate().View : default,
                gx, s, training, accumulate);
        });
}
