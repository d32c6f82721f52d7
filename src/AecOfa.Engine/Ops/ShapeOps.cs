using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

/// <summary>
/// Shape operations: views (Reshape, Flatten) and copies of sub-blocks (Slice, CenterCrop2d). Weight sharing in
/// OFA takes prefix channel slices and center crops of the largest weights each forward; their backward
/// scatter-adds into the full-size gradient.
/// </summary>
public static partial class TensorOps
{
    /// <summary>
    /// Same data, new shape (one dimension may be -1 and is inferred). The result SHARES x's storage; ops never
    /// write their inputs in place, so sharing is safe. The gradient flows back unchanged.
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        var resolved = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < resolved.Length; i++)
        {
            if (resolved[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: shape {ShapeUtil.Format(shape)} has more than one -1.", nameof(shape));
                infer = i;
            }
            else if (resolved[i] < 0) throw new ArgumentException($"Reshape: shape {ShapeUtil.Format(shape)} has a negative dimension.", nameof(shape));
            else known *= resolved[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0)
                throw new ArgumentException($"Reshape: cannot infer -1 in {ShapeUtil.Format(shape)} for {x.Numel} elements of x {ShapeUtil.Format(x.Shape)}.", nameof(shape));
            resolved[infer] = (int)(x.Numel / known);
        }
        if (ShapeUtil.Numel(resolved) != x.Numel)
            throw new ArgumentException($"Reshape: x {ShapeUtil.Format(x.Shape)} has {x.Numel} elements, target shape {ShapeUtil.Format(shape)} has {ShapeUtil.Numel(resolved)}.", nameof(shape));
        if (!x.IsOnCpu) return DeviceOps.Reshape(x, resolved);
        var y = Tensor.ViewOf(x, resolved);
        return Autograd.Record(y, "Reshape", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            System.Numerics.Tensors.TensorPrimitives.Add(gx, o.Grad!.Span, gx);
        });
    }

    /// <summary>(d0, d1, ..., dk) -> (d0, d1*...*dk): keeps the batch axis, flattens the rest (shares storage).</summary>
    public static Tensor Flatten(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1) throw new ArgumentException($"Flatten: x must have rank >= 1, got shape {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int rest = x.Shape[0] == 0 ? 0 : x.Numel / x.Shape[0];
        return Reshape(x, x.Shape[0], rest);
    }

    /// <summary>
    /// The elements with index start..start+length-1 along <paramref name="axis"/> (a copy). Elastic width uses
    /// prefix slices (start 0) of weights, BN parameters and activations. Backward adds into that block of x's gradient.
    /// </summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (axis < 0) axis += x.Rank;
        if ((uint)axis >= (uint)x.Rank)
            throw new ArgumentException($"Slice: axis {axis} out of range for x of shape {ShapeUtil.Format(x.Shape)}.", nameof(axis));
        int dim = x.Shape[axis];
        if (start < 0 || length < 1 || start + length > dim)
            throw new ArgumentException($"Slice: range start={start} length={length} does not fit axis {axis} (size {dim}) of x {ShapeUtil.Format(x.Shape)}.", nameof(length));
        var shape = (int[])x.Shape.Clone();
        shape[axis] = length;
        // x viewed as (outer, dim, inner): each outer index copies one contiguous run of length*inner values.
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= x.Shape[i];
        for (int i = axis + 1; i < x.Rank; i++) inner *= x.Shape[i];
        if (start == 0 && length == dim) return Reshape(x, shape); // whole axis: a view with gradient pass-through
        if (!x.IsOnCpu)
            return DeviceOps.Window(x, shape, new Kernels.Gpu.WindowShape { Run = length * inner, RowsPerPlane = 1, PlaneStride = dim * inner, Offset = start * inner }, "Slice");
        var y = Tensor.ForOp(true, shape);
        int run = length * inner;
        var xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            xs.Slice((o * dim + start) * inner, run).CopyTo(ys.Slice(o * run, run));
        return Autograd.Record(y, "Slice", new[] { x }, o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Span;
            for (int b = 0; b < outer; b++)
            {
                var dst = gx.Slice((b * dim + start) * inner, run);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, gy.Slice(b * run, run), dst);
            }
        });
    }

    /// <summary>
    /// Center crop of the last two dimensions to size x size (e.g. a (C, 1, 7, 7) kernel to (C, 1, 5, 5)): offset
    /// (H - size)/2 and (W - size)/2, which must be whole. Backward adds into the cropped window of w's gradient.
    /// </summary>
    public static Tensor CenterCrop2d(Tensor w, int size)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.Rank < 2) throw new ArgumentException($"CenterCrop2d: w must have rank >= 2, got shape {ShapeUtil.Format(w.Shape)}.", nameof(w));
        int h = w.Shape[^2], wd = w.Shape[^1];
        if (size < 1 || size > h || size > wd || (h - size) % 2 != 0 || (wd - size) % 2 != 0)
            throw new ArgumentException($"CenterCrop2d: size {size} is not a centered crop of the last two dims of w {ShapeUtil.Format(w.Shape)} (needs 1 <= size <= {Math.Min(h, wd)} and an even margin).", nameof(size));
        if (size == h && size == wd) return w;
        int top = (h - size) / 2, left = (wd - size) / 2;
        int planes = w.Numel / (h * wd);
        var shape = (int[])w.Shape.Clone();
        shape[^2] = size;
        shape[^1] = size;
        if (!w.IsOnCpu)
            return DeviceOps.Window(w, shape, new Kernels.Gpu.WindowShape { Run = size, RowsPerPlane = size, PlaneStride = h * wd, RowStride = wd, Offset = top * wd + left }, "CenterCrop2d");
        var y = Tensor.ForOp(true, shape);
        var ws = w.Span;
        var ys = y.Span;
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < size; r++)
                ws.Slice(p * h * wd + (top + r) * wd + left, size).CopyTo(ys.Slice((p * size + r) * size, size));
        return Autograd.Record(y, "CenterCrop2d", new[] { w }, o =>
        {
            var gw = w.GradForAccumulate();
            var gy = o.Grad!.Span;
            for (int p = 0; p < planes; p++)
                for (int r = 0; r < size; r++)
                {
                    var dst = gw.Slice(p * h * wd + (top + r) * wd + left, size);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, gy.Slice((p * size + r) * size, size), dst);
                }
        });
    }
}
