using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops.Device;

/// <summary>Activations, sums, views, pooling and the squeeze-excitation scale on the device.</summary>
internal static partial class DeviceOps
{
    public static Tensor Activation(Tensor x, GpuActivation kind, string opName)
    {
        var gpu = x.Device.Accelerated;
        var y = Tensor.OnDevice(x.Device, false, x.Shape);
        ActivationGpu.Forward(gpu, x.View, y.View, kind);
        return Autograd.Record(y, opName, new[] { x }, o =>
            ActivationGpu.Backward(gpu, x.View, o.Grad!.View, x.DeviceGradForWrite(out bool accumulate).View, kind, accumulate));
    }

    public static Tensor Add(Tensor a, Tensor b)
    {
        var device = Tensor.CommonDevice("Add", a, b);
        var y = Tensor.OnDevice(device, false, a.Shape);
        ElementwiseGpu.Add(device.Accelerated, a.View, b.View, y.View);
        return Autograd.Record(y, "Add", new[] { a, b }, o =>
        {
            if (a.RequiresGrad) AddGradient(a, o.Grad!);
            if (b.RequiresGrad) AddGradient(b, o.Grad!);
        });
    }

    /// <summary>t.Grad += g on the device, or a copy of g when t has no gradient yet.</summary>
    private static void AddGradient(Tensor t, Tensor g)
    {
        var gt = t.DeviceGradForWrite(out bool accumulate);
        ElementwiseGpu.Accumulate(t.Device.Accelerated, g.View, gt.View, accumulate);
    }

    /// <summary>A view with another shape sharing x's device buffer; the gradient flows back unchanged.</summary>
    public static Tensor Reshape(Tensor x, int[] shape)
    {
        var y = Tensor.DeviceViewOf(x, shape);
        return Autograd.Record(y, "Reshape", new[] { x }, o => AddGradient(x, o.Grad!));
    }

    public static Tensor GlobalAvgPool2d(Tensor x)
    {
        var gpu = x.Device.Accelerated;
        int hw = x.Shape[2] * x.Shape[3];
        var y = Tensor.OnDevice(x.Device, false, x.Shape[0], x.Shape[1]);
        PlaneGpu.Means(gpu, x.View, y.View, hw);
        return Autograd.Record(y, "GlobalAvgPool2d", new[] { x }, o =>
            PlaneGpu.MeansBackward(gpu, o.Grad!.View, x.DeviceGradForWrite(out bool accumulate).View, hw, accumulate));
    }

    public static Tensor ChannelScale(Tensor x, Tensor s)
    {
        var device = Tensor.CommonDevice("ChannelScale", x, s);
        var gpu = device.Accelerated;
        int hw = x.Shape[2] * x.Shape[3];
        var y = Tensor.OnDevice(device, false, x.Shape);
        PlaneGpu.Scale(gpu, x.View, s.View, y.View, hw);
        return Autograd.Record(y, "ChannelScale", new[] { x, s }, o =>
        {
            if (x.RequiresGrad) PlaneGpu.ScaleInputGradient(gpu, o.Grad!.View, s.View, x.DeviceGradForWrite(out bool accumulate).View, hw, accumulate);
            if (s.RequiresGrad) PlaneGpu.ScaleFactorGradient(gpu, o.Grad!.View, x.View, s.DeviceGradForAccumulate().View, hw);
        });
    }
}
