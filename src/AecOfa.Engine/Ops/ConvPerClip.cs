using System.Buffers;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>
/// The per-clip convolution paths (1x1 GEMM per clip, im2col + GEMM per clip and group) split over clips on the
/// <see cref="WorkerPool"/>: a clip's GEMMs are below the GEMM's own parallel threshold, so without this they ran on
/// one thread. Each clip writes only its own planes of the output (forward) or of gx (input gradient), with the same
/// arithmetic whichever thread runs it: results do not depend on the thread count. (The weight gradient sums over
/// clips, so it is not split this way.) Nested GEMM calls run inline while the pool is busy.
/// </summary>
public static partial class TensorOps
{
    private enum ClipWork { PointwiseForward, PointwiseBackwardInput, Im2ColForward, Im2ColBackwardInput }

    /// <param name="work">Which per-clip product to run.</param>
    /// <param name="g">The convolution's geometry.</param>
    /// <param name="src">Input (forward) or output gradient (input gradient), NCHW.</param>
    /// <param name="w">The weights.</param>
    /// <param name="dst">Output (forward) or input gradient, NCHW; each clip writes only its own planes.</param>
    /// <param name="accumulate">PointwiseBackwardInput only: add into dst (else overwrite; a fresh gradient needs no clearing).</param>
    private static unsafe void RunPerClip(ClipWork work, in ConvGeometry g, ReadOnlySpan<float> src, ReadOnlySpan<float> w, Span<float> dst, bool accumulate = true)
    {
        fixed (float* ps = src, pw = w, pd = dst)
        {
            var body = new ClipBody(work, g, ps, src.Length, pw, w.Length, pd, dst.Length, accumulate);
            WorkerPool.For(g.Batch, ref body);
        }
    }

    /// <summary>One clip's 1x1 input gradient: gx_n (Cin, HW) (+)= W^T (Cin, Cout) x gy_n (Cout, HW).</summary>
    private static void PointwiseClipInputGradient(in ConvGeometry g, ReadOnlySpan<float> w, ReadOnlySpan<float> gyClip, Span<float> gxClip, bool accumulate)
    {
        int hw = g.OutH * g.OutW;
        Gemm.Sgemm(true, false, g.InChannels, hw, g.OutChannels, w, g.InChannels, gyClip, hw, gxClip, hw, accumulate);
    }

    private readonly unsafe struct ClipBody(ClipWork work, ConvGeometry g, float* src, int srcLength, float* w, int wLength, float* dst, int dstLength, bool accumulate) : IRangeBody
    {
        public void Invoke(int begin, int end)
        {
            var x = new ReadOnlySpan<float>(src, srcLength);
            var wt = new ReadOnlySpan<float>(w, wLength);
            var y = new Span<float>(dst, dstLength);
            int inPlane = g.InChannels * g.InH * g.InW, outHw = g.OutH * g.OutW, outPlane = g.OutChannels * outHw;
            switch (work)
            {
                case ClipWork.PointwiseForward:
                    for (int n = begin; n < end; n++)
                        Gemm.Sgemm(false, false, g.OutChannels, outHw, g.InChannels, wt, g.InChannels,
                            x.Slice(n * inPlane, inPlane), outHw, y.Slice(n * outPlane, outPlane), outHw, accumulate: false);
                    return;
                case ClipWork.PointwiseBackwardInput:
                    // dX_n (Cin, HW) += W^T (Cin, Cout) x dY_n (Cout, HW); here x is gy and y is gx.
                    for (int n = begin; n < end; n++)
                        PointwiseClipInputGradient(g, wt, x.Slice(n * outPlane, outPlane), y.Slice(n * inPlane, inPlane), accumulate);
                    return;
            }
            int cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup, kG = cinG * g.KernelH * g.KernelW;
            var colBuf = ArrayPool<float>.Shared.Rent(kG * outHw); // one column buffer per range (per thread)
            try
            {
                var col = colBuf.AsSpan(0, kG * outHw);
                for (int n = begin; n < end; n++)
                    for (int gr = 0; gr < g.Groups; gr++)
                    {
                        if (work == ClipWork.Im2ColForward)
                        {
                            Im2Col.Unfold(g, x.Slice(n * inPlane, inPlane), gr * cinG, cinG, col);
                            Gemm.Sgemm(false, false, coutG, outHw, kG, wt.Slice(gr * coutG * kG, coutG * kG), kG, col, outHw,
                                y.Slice(n * outPlane + gr * coutG * outHw, coutG * outHw), outHw, accumulate: false);
                        }
                        else
                        {
                            // dCol (kG, OHW) = W_g^T (kG, coutG) x dY_g (coutG, OHW), then fold back into the image.
                            Gemm.Sgemm(true, false, kG, outHw, coutG, wt.Slice(gr * coutG * kG, coutG * kG), kG,
                                x.Slice(n * outPlane + gr * coutG * outHw, coutG * outHw), outHw, col, outHw, accumulate: false);
                            Im2Col.FoldAdd(g, col, gr * cinG, cinG, y.Slice(n * inPlane, inPlane));
                        }
                    }
            }
            finally { ArrayPool<float>.Shared.Return(colBuf); }
        }
    }
}
