using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops.Device;

/// <summary>The task losses on the device: the loss is a one-element device tensor (Item() brings it to the host).</summary>
internal static partial class DeviceOps
{
    /// <summary>
    /// Softmax cross-entropy; the labels (validated by the caller) are uploaded as a float tensor (exact below 2^24):
    /// they are part of the batch, and a tensor is freed with the step's arena like any op result.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, int[] labels, float labelSmoothing, int n, int k)
    {
        var device = logits.Device;
        var gpu = device.Accelerated;
        var deviceLabels = Tensor.FromArray(Array.ConvertAll(labels, l => (float)l), n).ToDevice(device);
        var y = Tensor.OnDevice(device, false); // a scalar, as the CPU losses
        LossGpu.SoftmaxCrossEntropy(gpu, logits.View, deviceLabels.View, y.View, n, k, labelSmoothing);
        return Autograd.Record(y, "SoftmaxCrossEntropy", new[] { logits }, o =>
            LossGpu.SoftmaxCrossEntropyBackward(gpu, logits.View, deviceLabels.View, o.Grad!.View, logits.DeviceGradForAccumulate().View, n, k, labelSmoothing));
    }

    /// <summary>Binary cross-entropy with logits against targets on the same device (constants).</summary>
    public static Tensor BinaryCrossEntropy(string loss, Tensor logits, Tensor targets)
    {
        var device = Tensor.CommonDevice(loss, logits, targets);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, false); // a scalar, as the CPU losses
        LossGpu.BinaryCrossEntropy(gpu, logits.View, targets.View, y.View, logits.Numel);
        return Autograd.Record(y, loss, new[] { logits }, o =>
            LossGpu.BinaryCrossEntropyBackward(gpu, logits.View, targets.View, o.Grad!.View, logits.DeviceGradForAccumulate().View, logits.Numel));
    }
}
