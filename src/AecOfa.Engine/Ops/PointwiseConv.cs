using System.Buffers;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>
/// 1x1 convolution (stride 1, no padding, groups 1) as ONE GEMM over the whole batch when the maps are small: the
/// activations are packed to channel-major (C, N*HW), multiplied, and unpacked (<see cref="ChannelMajorPack"/>).
/// With few positions per clip (late stages: 8..104) a per-clip GEMM has too few columns to fill the micro-kernel and
/// pays its call and packing overhead N times; with many positions (>= <see cref="PointwiseBatchedMaxHw"/>) the
/// per-clip GEMMs are already efficient and the two extra layout passes would only add memory traffic.
/// </summary>
public static partial class TensorOps
{
    /// <summary>Positions per clip below which the batched (packed) 1x1 path is used (measured, see benchmarks/RESULTS.md).</summary>
    internal const int PointwiseBatchedMaxHw = 64;

    internal static bool UsePointwiseBatched(in ConvGeometry g) => g.Batch > 1 && g.OutH * g.OutW < PointwiseBatchedMaxHw;

    /// <summary>y (N, Cout, HW) = W (Cout, Cin) x x (N, Cin, HW) via one GEMM on channel-major copies (overwrites y).</summary>
    internal static void PointwiseForwardBatched(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y)
    {
        int hw = g.OutH * g.OutW, nhw = g.Batch * hw;
        var xp = ArrayPool<float>.Shared.Rent(g.InChannels * nhw);
        var yp = ArrayPool<float>.Shared.Rent(g.OutChannels * nhw);
        try
        {
            ChannelMajorPack.Pack(x, g.Batch, g.InChannels, hw, xp);
            Gemm.Sgemm(false, false, g.OutChannels, nhw, g.InChannels, w, g.InChannels, xp, nhw, yp, nhw, accumulate: false);
            ChannelMajorPack.Unpack(yp, g.Batch, g.OutChannels, hw, y, accumulate: false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(yp);
            ArrayPool<float>.Shared.Return(xp);
        }
    }

    /// <summary>
    /// Whether a large-map 1x1 backward takes both gradients clip by clip (<see cref="PointwiseBackwardPerClipFused"/>):
    /// on one thread (training lanes run single-threaded tasks), where the two-pass path would split nothing anyway.
    /// </summary>
    internal static bool UsePointwiseFusedBackward() => WorkerPool.MaxThreads == 1 && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Both gradients of a large-map 1x1 convolution, clip by clip: gx_n (+)= W^T gy_n (the per-clip GEMM), then gy_n's
    /// share of gw while gy_n is still in cache (<see cref="RowDotProducts.ItemAccumulator"/>). The two-pass path reads
    /// all of gy twice, from memory the second time when the batch's gy exceeds the cache (32 clips of 48 x 32 x 51 are
    /// 10 MB). Same arithmetic in the same order as the two passes: the same bits.
    /// </summary>
    internal static void PointwiseBackwardPerClipFused(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
        Span<float> gx, bool gxAccumulate, Span<float> gw)
    {
        int hw = g.OutH * g.OutW, inPlane = g.InChannels * hw, outPlane = g.OutChannels * hw;
        using var sums = new RowDotProducts.ItemAccumulator(g.OutChannels, g.InChannels, hw);
        for (int n = 0; n < g.Batch; n++)
        {
            var gyn = gy.Slice(n * outPlane, outPlane);
            PointwiseClipInputGradient(g, w, gyn, gx.Slice(n * inPlane, inPlane), gxAccumulate);
            sums.Add(gyn, x.Slice(n * inPlane, inPlane));
        }
        sums.AddInto(gw);
    }

    /// <summary>
    /// Both gradients from one packed copy of gy: gx (+)= W^T gy (when gx is not empty; overwritten unless
    /// <paramref name="gxAccumulate"/>) and gw += gy x^T (when gw is not empty), each one GEMM over the batch.
    /// </summary>
    internal static void PointwiseBackwardBatched(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
        Span<float> gx, Span<float> gw, bool gxAccumulate = true)
    {
        int hw = g.OutH * g.OutW, nhw = g.Batch * hw;
        var gyp = ArrayPool<float>.Shared.Rent(g.OutChannels * nhw);
        var xp = ArrayPool<float>.Shared.Rent(g.InChannels * nhw);
        try
        {
            ChannelMajorPack.Pack(gy, g.Batch, g.OutChannels, hw, gyp);
            if (!gx.IsEmpty)
            {
                // dX (Cin, N*HW) = W^T (Cin, Cout) x dY (Cout, N*HW), then added into NCHW gx.
                Gemm.Sgemm(true, false, g.InChannels, nhw, g.OutChannels, w, g.InChannels, gyp, nhw, xp, nhw, accumulate: false);
                ChannelMajorPack.Unpack(xp, g.Batch, g.InChannels, hw, gx, gxAccumulate);
            }
            if (!gw.IsEmpty)
            {
                // dW (Cout, Cin) += dY (Cout, N*HW) x X^T (N*HW, Cin).
                ChannelMajorPack.Pack(x, g.Batch, g.InChannels, hw, xp);
                // Long rows (N*HW >= 512): the unpacked dot kernel; short rows: the GEMM (its packing is cheap there,
                // and the dot kernel's per-pair scratch would dominate). Measured in benchmarks/RESULTS.md.
                if (nhw >= 512) RowDotProducts.Accumulate(gyp, xp, 1, g.OutChannels, g.InChannels, nhw, gw);
                else Gemm.Sgemm(false, true, g.OutChannels, g.InChannels, nhw, gyp, nhw, xp, nhw, gw, g.InChannels, accumulate: true);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(xp);
            ArrayPool<float>.Shared.Return(gyp);
        }
    }
}
