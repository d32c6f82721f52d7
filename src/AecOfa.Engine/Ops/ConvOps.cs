using AecOfa.Engine.Ops.Device;
using System.Buffers;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>
/// 2-D convolution over NCHW. Three paths, chosen by geometry: depthwise (groups == Cin == Cout) through
/// <see cref="DepthwiseConv"/>; pointwise (1x1, stride 1, no padding, groups 1) as one GEMM per clip,
/// Y_n (Cout, HW) = W (Cout, Cin) x X_n (Cin, HW), or one GEMM over the batch for small maps (PointwiseConv.cs); everything else as im2col + one GEMM per clip and group.
/// Kernels split work over threads without changing any element's arithmetic, so results are deterministic.
/// </summary>
public static partial class TensorOps
{
    /// <summary>Square stride and padding on both axes.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1)
        => Conv2d(x, w, bias, stride, stride, padding, padding, groups);

    /// <summary>x (N, Cin, H, W), w (Cout, Cin/groups, KH, KW), bias (Cout) or null -> (N, Cout, OutH, OutW).</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, int strideH, int strideW, int padH, int padW, int groups)
    {
        var g = ConvGeometryOf(x, w, bias, strideH, strideW, padH, padW, groups);
        if (!x.IsOnCpu || !w.IsOnCpu) return DeviceOps.Conv2d(x, w, bias, g);
        var y = Tensor.ForOp(false, g.Batch, g.OutChannels, g.OutH, g.OutW);
        ConvForward(g, x.Span, w.Span, y.Span);
        if (bias is not null) AddChannelBias(y.Span, bias.Span, g.Batch, g.OutChannels, g.OutH * g.OutW);
        var inputs = bias is null ? new[] { x, w } : new[] { x, w, bias };
        string opName = g.IsDepthwise ? "Conv2d.Depthwise" : IsPointwise(g) ? "Conv2d.Pointwise" : "Conv2d";
        return Autograd.Record(y, opName, inputs, o =>
        {
            var gy = o.Grad!.Span;
            if (g.IsDepthwise)
            {
                // One call for both gradients (the channels-last kernels share one transpose of gy per clip); a fresh
                // input gradient is written, not cleared and then added to.
                bool accumulate = true;
                var gx = x.RequiresGrad ? x.GradForWrite(out accumulate) : default;
                DepthwiseConv.Backward(g, x.Span, gy, w.Span, gx, w.RequiresGrad ? w.GradForAccumulate() : default, accumulate);
            }
            else if (IsPointwise(g) && UsePointwiseBatched(g) && (x.RequiresGrad || w.RequiresGrad))
            {
                bool accumulate = true;
                var gx = x.RequiresGrad ? x.GradForWrite(out accumulate) : default;
                PointwiseBackwardBatched(g, x.Span, w.Span, gy, gx, w.RequiresGrad ? w.GradForAccumulate() : default, accumulate);
            }
            else if (IsPointwise(g) && x.RequiresGrad && w.RequiresGrad && UsePointwiseFusedBackward())
            {
                var gx = x.GradForWrite(out bool accumulate);
                PointwiseBackwardPerClipFused(g, x.Span, w.Span, gy, gx, accumulate, w.GradForAccumulate());
            }
            else
            {
                if (x.RequiresGrad && IsPointwise(g))
                {
                    // A fresh input gradient is written by the GEMM directly (no clearing pass).
                    var gx = x.GradForWrite(out bool accumulate);
                    RunPerClip(ClipWork.PointwiseBackwardInput, g, gy, w.Span, gx, accumulate);
                }
                else if (x.RequiresGrad) ConvBackwardInput(g, gy, w.Span, x.GradForAccumulate());
                if (w.RequiresGrad) ConvBackwardWeight(g, x.Span, gy, w.GradForAccumulate());
            }
            if (bias is { RequiresGrad: true }) BiasGradient(gy, bias.GradForAccumulate(), g.Batch, g.OutChannels, g.OutH * g.OutW);
        });
    }

    private static ConvGeometry ConvGeometryOf(Tensor x, Tensor w, Tensor? bias, int strideH, int strideW, int padH, int padW, int groups)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ShapeUtil.RequireRank("Conv2d", "x", x, 4);
        ShapeUtil.RequireRank("Conv2d", "w", w, 4);
        if (groups < 1 || x.Shape[1] % groups != 0 || w.Shape[0] % groups != 0)
            throw new ArgumentException($"Conv2d: groups={groups} must divide the input channels of x {ShapeUtil.Format(x.Shape)} and the output channels of w {ShapeUtil.Format(w.Shape)}.", nameof(groups));
        if (w.Shape[1] * groups != x.Shape[1])
            throw new ArgumentException($"Conv2d: w {ShapeUtil.Format(w.Shape)} must be (Cout, Cin/groups = {x.Shape[1] / groups}, KH, KW) for x {ShapeUtil.Format(x.Shape)} and groups={groups}.", nameof(w));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != w.Shape[0]))
            throw new ArgumentException($"Conv2d: bias must have shape ({w.Shape[0]}), got {ShapeUtil.Format(bias.Shape)}.", nameof(bias));
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new ArgumentException($"Conv2d: stride ({strideH}, {strideW}) must be >= 1 and padding ({padH}, {padW}) >= 0.");
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], w.Shape[0], x.Shape[2], x.Shape[3], w.Shape[2], w.Shape[3], strideH, strideW, padH, padW, groups);
        if (g.InH + 2 * padH < g.KernelH || g.InW + 2 * padW < g.KernelW)
            throw new ArgumentException($"Conv2d: kernel {g.KernelH}x{g.KernelW} with padding ({padH}, {padW}) does not fit x {ShapeUtil.Format(x.Shape)}.", nameof(w));
        g.Validate();
        return g;
    }

    private static bool IsPointwise(in ConvGeometry g)
        => g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 && g.Groups == 1;

    /// <summary>Overwrites y.</summary>
    internal static void ConvForward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
    {
        if (g.IsDepthwise) { DepthwiseConv.Forward(g, x, w, y); return; }
        if (IsPointwise(g) && UsePointwiseBatched(g))
        {
            PointwiseForwardBatched(g, x, w, y);
            return;
        }
        RunPerClip(IsPointwise(g) ? ClipWork.PointwiseForward : ClipWork.Im2ColForward, g, x, w, y);
    }

    /// <summary>Adds the input gradient into gx.</summary>
    internal static void ConvBackwardInput(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx)
    {
        if (g.IsDepthwise) { DepthwiseConv.BackwardInput(g, gy, w, gx); return; }
        RunPerClip(IsPointwise(g) ? ClipWork.PointwiseBackwardInput : ClipWork.Im2ColBackwardInput, g, gy, w, gx);
    }

    /// <summary>Adds the weight gradient into gw.</summary>
    internal static void ConvBackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw)
    {
        if (g.IsDepthwise) { DepthwiseConv.BackwardWeight(g, x, gy, gw); return; }
        int inPlane = g.InChannels * g.InH * g.InW, outHw = g.OutH * g.OutW, outPlane = g.OutChannels * outHw;
        if (IsPointwise(g))
        {
            // dW (Cout, Cin) += sum over n of dY_n (Cout, HW) x X_n^T (HW, Cin), without packing (long-K dot kernel).
            RowDotProducts.Accumulate(gy, x, g.Batch, g.OutChannels, g.InChannels, outHw, gw);
            return;
        }
        int cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup, kG = cinG * g.KernelH * g.KernelW;
        if (g.Groups == 1 && (long)g.Batch * kG * outHw <= 1 << 22)
        {
            // Small column matrices (the stem: 9 x OHW per clip): unfold every clip, then one long-K dot-product
            // pass dW (Cout, kG) += sum over n of dY_n x Col_n^T, split over output rows (bitwise independent of the
            // thread count), instead of a serial clip loop of tiny packed GEMMs.
            var allBuf = ArrayPool<float>.Shared.Rent(g.Batch * kG * outHw);
            try
            {
                var cols = allBuf.AsSpan(0, g.Batch * kG * outHw);
                for (int n = 0; n < g.Batch; n++)
                    Im2Col.Unfold(g, x.Slice(n * inPlane, inPlane), 0, cinG, cols.Slice(n * kG * outHw, kG * outHw));
                RowDotProducts.Accumulate(gy, cols, g.Batch, g.OutChannels, kG, outHw, gw);
            }
            finally { ArrayPool<float>.Shared.Return(allBuf); }
            return;
        }
        var colBuf = ArrayPool<float>.Shared.Rent(kG * outHw);
        try
        {
            var col = colBuf.AsSpan(0, kG * outHw);
            for (int n = 0; n < g.Batch; n++)
                for (int gr = 0; gr < g.Groups; gr++)
                {
                    // dW_g (coutG, kG) += dY_g (coutG, OHW) x Col^T (OHW, kG); the column matrix is rebuilt, not saved.
                    Im2Col.Unfold(g, x.Slice(n * inPlane, inPlane), gr * cinG, cinG, col);
                    Gemm.Sgemm(false, true, coutG, kG, outHw, gy.Slice(n * outPlane + gr * coutG * outHw, coutG * outHw), outHw,
                        col, outHw, gw.Slice(gr * coutG * kG, coutG * kG), kG, accumulate: true);
                }
        }
        finally { ArrayPool<float>.Shared.Return(colBuf); }
    }

    private static void AddChannelBias(Span<float> y, ReadOnlySpan<float> bias, int batch, int channels, int hw)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                var plane = y.Slice((n * channels + c) * hw, hw);
                System.Numerics.Tensors.TensorPrimitives.Add(plane, bias[c], plane);
            }
    }

    private static void BiasGradient(ReadOnlySpan<float> gy, Span<float> gb, int batch, int channels, int hw)
    {
        for (int c = 0; c < channels; c++)
        {
            double s = 0;
            for (int n = 0; n < batch; n++) s += DeterministicSum.Sum(gy.Slice((n * channels + c) * hw, hw));
            gb[c] += (float)s;
        }
    }
}
