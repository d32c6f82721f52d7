using AecOfa.Engine.Ops.Device;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Ops;

/// <summary>Matrix products through <see cref="Gemm.Sgemm"/>: MatMul (OFA's kernel transforms) and Linear layers.</summary>
public static partial class TensorOps
{
    /// <summary>a (m, k) x b (k, n) -> (m, n). dA += dY B^T, dB += A^T dY.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ShapeUtil.RequireRank("MatMul", "a", a, 2);
        ShapeUtil.RequireRank("MatMul", "b", b, 2);
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        if (b.Shape[0] != k)
            throw new ArgumentException($"MatMul: inner dimensions differ: a {ShapeUtil.Format(a.Shape)} x b {ShapeUtil.Format(b.Shape)}.", nameof(b));
        if (!a.IsOnCpu || !b.IsOnCpu) return DeviceOps.MatMul(a, b, m, k, n);
        var y = Tensor.ForOp(false, m, n);
        Gemm.Sgemm(false, false, m, n, k, a.Span, k, b.Span, n, y.Span, n, accumulate: false);
        return Autograd.Record(y, "MatMul", new[] { a, b }, o =>
        {
            var gy = o.Grad!.Span;
            if (a.RequiresGrad) Gemm.Sgemm(false, true, m, k, n, gy, n, b.Span, n, a.GradForAccumulate(), k, accumulate: true);
            if (b.RequiresGrad) Gemm.Sgemm(true, false, k, n, m, a.Span, k, gy, n, b.GradForAccumulate(), n, accumulate: true);
        });
    }

    /// <summary>x (N, in) x w (out, in)^T + bias (out) -> (N, out), PyTorch's layout for fully connected layers.</summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(w);
        ShapeUtil.RequireRank("Linear", "x", x, 2);
        ShapeUtil.RequireRank("Linear", "w", w, 2);
        int batch = x.Shape[0], inF = x.Shape[1], outF = w.Shape[0];
        if (w.Shape[1] != inF)
            throw new ArgumentException($"Linear: w {ShapeUtil.Format(w.Shape)} must be (out, {inF}) for x {ShapeUtil.Format(x.Shape)}.", nameof(w));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ArgumentException($"Linear: bias must have shape ({outF}), got {ShapeUtil.Format(bias.Shape)}.", nameof(bias));
        if (!x.IsOnCpu || !w.IsOnCpu) return DeviceOps.Linear(x, w, bias, batch, inF, outF);
        var y = Tensor.ForOp(false, batch, outF);
        var ys = y.Span;
        if (batch <= LinearDotMaxBatch) LinearForwardByRowDots(x.Span, w.Span, bias is null ? default : bias.Span, batch, inF, outF, ys);
        else
        {
            if (bias is not null)
                for (int r = 0; r < batch; r++) bias.Span.CopyTo(ys.Slice(r * outF, outF));
            Gemm.Sgemm(false, true, batch, outF, inF, x.Span, inF, w.Span, inF, ys, outF, accumulate: bias is not null);
        }
        var inputs = bias is null ? new[] { x, w } : new[] { x, w, bias };
        return Autograd.Record(y, "Linear", inputs, o =>
        {
            var gy = o.Grad!.Span;
            if (x.RequiresGrad) Gemm.Sgemm(false, false, batch, inF, outF, gy, outF, w.Span, inF, x.GradForAccumulate(), inF, accumulate: true);
            if (w.RequiresGrad) Gemm.Sgemm(true, false, outF, inF, batch, gy, outF, x.Span, inF, w.GradForAccumulate(), inF, accumulate: true);
            if (bias is { RequiresGrad: true })
            {
                var gb = bias.GradForAccumulate();
                for (int j = 0; j < outF; j++)
                {
                    double s = 0;
                    for (int r = 0; r < batch; r++) s += gy[r * outF + j];
                    gb[j] += (float)s;
                }
            }
        });
    }

    /// <summary>Batches up to this size run the linear forward as row dot products (no packing of W).</summary>
    internal const int LinearDotMaxBatch = 64;

    /// <summary>
    /// y = x W^T + bias for a small batch: y^T (out, batch) = W x^T as dot products of W's rows with x's rows
    /// (<see cref="RowDotProducts"/>), each row of W read once; a GEMM with op(B) = W^T would pack all of W per call
    /// (1.2 M floats for the 960 -> 1280 layer) to use it only batch times.
    /// </summary>
    private static void LinearForwardByRowDots(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int batch, int inF, int outF, Span<float> y)
    {
        var yt = System.Buffers.ArrayPool<float>.Shared.Rent(outF * batch);
        try
        {
            var t = yt.AsSpan(0, outF * batch);
            t.Clear();
            RowDotProducts.Accumulate(w, x, 1, outF, batch, inF, t);
            for (int r = 0; r < batch; r++)
                for (int o = 0; o < outF; o++) y[r * outF + o] = bias.IsEmpty ? t[o * batch + r] : t[o * batch + r] + bias[o];
        }
        finally { System.Buffers.ArrayPool<float>.Shared.Return(yt); }
    }
}
