using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops;

/// <summary>Resampling of feature maps to another resolution (the supernet's elastic input resolution).</summary>
public static partial class TensorOps
{
    /// <summary>
    /// x (N, C, H, W) -> (N, C, lower.Length, ceil(W / pool)): output row j = (1 - upper[j]) row lower[j] +
    /// upper[j] row min(lower[j] + 1, H - 1); output column t = mean of columns t*pool .. min(t*pool + pool, W) - 1.
    /// On the host the caller runs its own float64 loops (this op is the device path: the interpolation table is uploaded
    /// once per call, sums in float32); the backward is the transpose.
    /// </summary>
    public static Tensor ResampleOnDevice(Tensor x, int[] lower, double[] upper, int pool)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (x.IsOnCpu) throw new ArgumentException($"ResampleOnDevice: x {ShapeUtil.Format(x.Shape)} lives on the host; this is the device path.", nameof(x));
        ShapeUtil.RequireRank("ResampleOnDevice", "x", x, 4);
        if (lower.Length != upper.Length || lower.Length == 0 || pool < 1)
            throw new ArgumentException($"ResampleOnDevice: {lower.Length} lower rows and {upper.Length} weights (equal, >= 1), pool {pool} (>= 1).");
        var s = new ResampleShape { InH = x.Shape[2], InW = x.Shape[3], OutH = lower.Length, OutW = (x.Shape[3] + pool - 1) / pool, Pool = pool };
        foreach (int r in lower)
            if ((uint)r >= (uint)s.InH) throw new ArgumentException($"ResampleOnDevice: lower row {r} outside [0, {s.InH - 1}].", nameof(lower));
        var device = x.Device;
        var gpu = device.Accelerated;
        var table = Tensor.FromArray(lower.Select(v => (float)v).Concat(upper.Select(v => (float)v)).ToArray(), 2, s.OutH).ToDevice(device);
        var lowerView = table.View.SubView(0, s.OutH);
        var upperView = table.View.SubView(s.OutH, s.OutH);
        var y = Tensor.OnDevice(device, false, x.Shape[0], x.Shape[1], s.OutH, s.OutW);
        ResampleGpu.Forward(gpu, x.View, lowerView, upperView, y.View, s);
        return Autograd.Record(y, "Resample", [x], o => ResampleGpu.Backward(gpu, o.Grad!.View, lowerView, upperView, x.DeviceGradForAccumulate().View, s));
    }
}
