using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops.Device;

/// <summary>Slices, crops, dropout, products and scalar reductions on the device.</summary>
internal static partial class DeviceOps
{
    /// <summary>A copy of a window of x with the given result shape; backward scatter-adds into x's gradient.</summary>
    public static Tensor Window(Tensor x, int[] shape, WindowShape window, string opName)
    {
        var gpu = x.Device.Accelerated;
        var y = Tensor.OnDevice(x.Device, false, shape);
        WindowGpu.Gather(gpu, x.View, y.View, window);
        return Autograd.Record(y, opName, new[] { x }, o => WindowGpu.ScatterAdd(gpu, o.Grad!.View, x.DeviceGradForAccumulate().View, window));
    }

    /// <summary>
    /// Inverted dropout with a mask drawn on the host from the same generator, in the same order, as the CPU op (so both
    /// devices drop the same elements), then uploaded: one transfer of the mask per call.
    /// </summary>
    public static Tensor Dropout(Tensor x, float[] mask)
    {
        var device = x.Device;
        var gpu = device.Accelerated;
        var m = Tensor.FromArray(mask, x.Shape).ToDevice(device);
        var y = Tensor.OnDevice(device, false, x.Shape);
        ElementwiseGpu.Mul(gpu, x.View, m.View, y.View);
        return Autograd.Record(y, "Dropout", new[] { x }, o => ElementwiseGpu.MulAdd(gpu, o.Grad!.View, m.View, x.DeviceGradForAccumulate().View));
    }

    public static Tensor Mul(Tensor a, Tensor b)
    {
        var device = Tensor.CommonDevice("Mul", a, b);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, false, a.Shape);
        ElementwiseGpu.Mul(gpu, a.View, b.View, y.View);
        return Autograd.Record(y, "Mul", new[] { a, b }, o =>
        {
            if (a.RequiresGrad) ElementwiseGpu.MulAdd(gpu, o.Grad!.View, b.View, a.DeviceGradForAccumulate().View);
            if (b.RequiresGrad) ElementwiseGpu.MulAdd(gpu, o.Grad!.View, a.View, b.DeviceGradForAccumulate().View);
        });
    }

    public static Tensor Mean(Tensor x)
    {
        var gpu = x.Device.Accelerated;
        var y = Tensor.OnDevice(x.Device, false);
        ElementwiseGpu.Mean(gpu, x.View, y.View);
        return Autograd.Record(y, "Mean", new[] { x }, o => ElementwiseGpu.AddScaledFirst(gpu, o.Grad!.View, x.DeviceGradForAccumulate().View, 1f / x.Numel));
    }

    /// <summary>sum_i weight_i loss_i of one-element device tensors, summed on the device in argument order.</summary>
    public static Tensor WeightedLossSum(Tensor[] losses, float[] weights)
    {
        var device = losses[0].Device;
        foreach (var l in losses) Tensor.CommonDevice("WeightedLossSum", losses[0], l);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, zeroed: true);
        for (int i = 0; i < losses.Length; i++) ElementwiseGpu.AddScaledFirst(gpu, losses[i].View, y.View, weights[i]);
        return Autograd.Record(y, "WeightedLossSum", losses, o =>
        {
            for (int i = 0; i < losses.Length; i++)
                if (losses[i].RequiresGrad) ElementwiseGpu.AddScaledFirst(gpu, o.Grad!.View, losses[i].DeviceGradForAccumulate().View, weights[i]);
        });
    }

    public static Tensor KlDistillation(Tensor student, Tensor teacher, float temperature, int n, int k)
    {
        var device = Tensor.CommonDevice("KlDistillation", student, teacher);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, false);
        LossGpu.KlDistillation(gpu, student.View, teacher.View, y.View, n, k, temperature);
        return Autograd.Record(y, "KlDistillation", new[] { student }, o =>
            LossGpu.KlDistillationBackward(gpu, student.View, teacher.View, o.Grad!.View, student.DeviceGradForAccumulate().View, n, k, temperature));
    }
}
