using AecOfa.Engine.Kernels;
using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine.Ops.Device;

/// <summary>
/// The device paths of the ops (TensorOps dispatches here when its inputs live on an accelerator): each records the
/// same GradNode as its CPU twin, with device kernels in forward and backward. Inputs are checked to share one device.
/// This file: convolutions and matrix products.
/// </summary>
internal static partial class DeviceOps
{
    /// <summary>Conv2d on the device: depthwise kernels, 1x1 as a batched GEMM, anything else (groups 1) as im2col + GEMM.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, ConvGeometry g)
    {
        var device = Tensor.CommonDevice("Conv2d", x, w, bias);
        var gpu = device.Accelerated;
        bool pointwise = g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 && g.Groups == 1;
        if (!g.IsDepthwise && g.Groups != 1)
            throw new NotSupportedException($"Conv2d on {device}: grouped convolutions other than depthwise (groups={g.Groups}) have no device kernel.");
        var y = Tensor.OnDevice(device, false, g.Batch, g.OutChannels, g.OutH, g.OutW);
        int hw = g.OutH * g.OutW, inPlane = g.InChannels * g.InH * g.InW, outPlane = g.OutChannels * hw;
        int kG = g.InChannels * g.KernelH * g.KernelW;
        var shape = ConvShape.Of(g);
        Tensor? col = null;
        if (g.IsDepthwise) DepthwiseConvGpu.Forward(gpu, x.View, w.View, y.View, shape);
        else if (pointwise) GemmGpu.Run(gpu, w.View, x.View, y.View, Batched(GemmShape.Of(false, false, g.OutChannels, hw, g.InChannels, g.InChannels, hw, hw, false), 0, inPlane, outPlane), g.Batch);
        else
        {
            col = Tensor.OnDevice(device, false, g.Batch, kG, hw);
            Im2ColGpu.Unfold(gpu, x.View, col.View, shape);
            GemmGpu.Run(gpu, w.View, col.View, y.View, Batched(GemmShape.Of(false, false, g.OutChannels, hw, kG, kG, hw, hw, false), 0, kG * hw, outPlane), g.Batch);
        }
        if (bias is not null) ElementwiseGpu.AddChannelBias(gpu, y.View, bias.View, g.OutChannels, hw);
        var inputs = bias is null ? new[] { x, w } : new[] { x, w, bias };
        string opName = g.IsDepthwise ? "Conv2d.Depthwise" : pointwise ? "Conv2d.Pointwise" : "Conv2d";
        return Autograd.Record(y, opName, inputs, o =>
        {
            var gy = o.Grad!.View;
            if (g.IsDepthwise)
            {
                if (x.RequiresGrad) DepthwiseConvGpu.BackwardInput(gpu, gy, w.View, x.DeviceGradForWrite(out bool acc).View, shape, acc);
                if (w.RequiresGrad) DepthwiseConvGpu.BackwardWeight(gpu, x.View, gy, w.DeviceGradForAccumulate().View, shape);
            }
            else
            {
                // Columns: x itself for 1x1, else the unfolded x; dX (or dCol) = W^T dY per clip, dW += sum_n dY_n Col_n^T.
                var source = pointwise ? x : col!;
                int k = pointwise ? g.InChannels : kG, plane = pointwise ? inPlane : kG * hw;
                if (x.RequiresGrad)
                {
                    var gx = x.DeviceGradForWrite(out bool acc);
                    if (pointwise)
                        GemmGpu.Run(gpu, w.View, gy, gx.View, Batched(GemmShape.Of(true, false, k, hw, g.OutChannels, k, hw, hw, acc), 0, outPlane, plane), g.Batch);
                    else
                    {
                        var gcol = Tensor.OnDevice(device, false, g.Batch, kG, hw);
                        GemmGpu.Run(gpu, w.View, gy, gcol.View, Batched(GemmShape.Of(true, false, k, hw, g.OutChannels, k, hw, hw, false), 0, outPlane, plane), g.Batch);
                        Im2ColGpu.Fold(gpu, gcol.View, gx.View, shape, acc);
                    }
                }
                if (w.RequiresGrad)
                {
                    var s = GemmShape.Of(false, true, g.OutChannels, k, hw, hw, hw, k, true);
                    s.K = g.Batch * hw;
                    s.KSegment = hw;
                    s.SegmentA = outPlane;
                    s.SegmentB = plane;
                    GemmGpu.Run(gpu, gy, source.View, w.DeviceGradForAccumulate().View, s);
                }
            }
            if (bias is { RequiresGrad: true }) ElementwiseGpu.ChannelBiasGradient(gpu, gy, bias.DeviceGradForAccumulate().View, g.Batch, g.OutChannels, hw);
        });
    }

    private static GemmShape Batched(GemmShape s, int strideA, int strideB, int strideC)
    {
        s.StrideA = strideA;
        s.StrideB = strideB;
        s.StrideC = strideC;
        return s;
    }

    /// <summary>a (m, k) x b (k, n) on the device. dA += dY B^T, dB += A^T dY.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, int m, int k, int n)
    {
        var device = Tensor.CommonDevice("MatMul", a, b);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, false, m, n);
        GemmGpu.Run(gpu, a.View, b.View, y.View, GemmShape.Of(false, false, m, n, k, k, n, n, false));
        return Autograd.Record(y, "MatMul", new[] { a, b }, o =>
        {
            var gy = o.Grad!.View;
            if (a.RequiresGrad) GemmGpu.Run(gpu, gy, b.View, a.DeviceGradForAccumulate().View, GemmShape.Of(false, true, m, k, n, n, n, k, true));
            if (b.RequiresGrad) GemmGpu.Run(gpu, a.View, gy, b.DeviceGradForAccumulate().View, GemmShape.Of(true, false, k, n, m, k, n, n, true));
        });
    }

    /// <summary>x (N, in) W^T + bias on the device. dX += dY W, dW += dY^T X, db += column sums of dY.</summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias, int batch, int inF, int outF)
    {
        var device = Tensor.CommonDevice("Linear", x, w, bias);
        var gpu = device.Accelerated;
        var y = Tensor.OnDevice(device, false, batch, outF);
        GemmGpu.Run(gpu, x.View, w.View, y.View, GemmShape.Of(false, true, batch, outF, inF, inF, inF, outF, false));
        if (bias is not null) ElementwiseGpu.AddChannelBias(gpu, y.View, bias.View, outF, 1);
        var inputs = bias is null ? new[] { x, w } : new[] { x, w, bias };
        return Autograd.Record(y, "Linear", inputs, o =>
        {
            var gy = o.Grad!.View;
            if (x.RequiresGrad) GemmGpu.Run(gpu, gy, w.View, x.DeviceGradForAccumulate().View, GemmShape.Of(false, false, batch, inF, outF, outF, inF, inF, true));
            if (w.RequiresGrad) GemmGpu.Run(gpu, gy, x.View, w.DeviceGradForAccumulate().View, GemmShape.Of(true, false, outF, inF, batch, outF, inF, inF, true));
            if (bias is { RequiresGrad: true }) ElementwiseGpu.ChannelBiasGradient(gpu, gy, bias.DeviceGradForAccumulate().View, batch, outF, 1);
        });
    }
}
