using System.Runtime.CompilerServices;

namespace AecOfa.Engine;

/// <summary>
/// A dense float32 tensor with a shape, an exact-length storage array and an optional gradient.
/// The public shape convention for feature maps is (batch, channels, height=mel bins, width=frames);
/// the memory layout is row-major (NCHW) unless a kernel says otherwise inside itself.
/// </summary>
public class Tensor
{
    private float[] _data;

    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        int n = ShapeUtil.Numel(shape);
        if (data.Length != n)
            throw new ArgumentException($"Data length {data.Length} does not match shape {ShapeUtil.Format(shape)} ({n} elements).", nameof(data));
        _data = data;
        Shape = (int[])shape.Clone();
    }

    /// <summary>Shape; treat as read-only.</summary>
    public int[] Shape { get; }

    /// <summary>Row-major storage, exactly <see cref="Numel"/> long.</summary>
    public float[] Data => _data;

    public Span<float> Span => _data;

    public int Numel => _data.Length;

    public int Rank => Shape.Length;

    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    /// <summary>Gradient of the last backward pass(es); same shape as this tensor. Null until something flows in.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Leaf tensors (parameters, inputs) that want a gradient set this; op outputs inherit it.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The recorded operation that produced this tensor, or null for leaves and no-grad results.</summary>
    public GradNode? GradFn { get; internal set; }

    public bool IsLeaf => GradFn is null;

    [IndexerName("At")]
    public float this[params int[] index]
    {
        get => _data[ShapeUtil.Offset(Shape, index)];
        set => _data[ShapeUtil.Offset(Shape, index)] = value;
    }

    public static Tensor Zeros(params int[] shape) => new(new float[ShapeUtil.Numel(shape)], shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        Array.Fill(t._data, value);
        return t;
    }

    public static Tensor Scalar(float value) => new(new[] { value });

    public static Tensor FromArray(float[] data, params int[] shape) => new(data, shape);

    /// <summary>Gaussian N(0, std^2) from a seeded generator (Box-Muller, deterministic for a seed).</summary>
    public static Tensor Randn(Random rng, float std, params int[] shape)
    {
        var t = Zeros(shape);
        SeededRandom.FillNormal(rng, t._data, 0f, std);
        return t;
    }

    public static Tensor Uniform(Random rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        for (int i = 0; i < t._data.Length; i++) t._data[i] = low + (high - low) * (float)rng.NextDouble();
        return t;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (_data.Length != 1)
            throw new InvalidOperationException($"Item() needs a one-element tensor, got shape {ShapeUtil.Format(Shape)}.");
        return _data[0];
    }

    /// <summary>A copy of the data that does not take part in autograd.</summary>
    public Tensor Detach() => new((float[])_data.Clone(), Shape);

    /// <summary>Sets the gradient to null (it is allocated again on the next backward).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Returns the gradient buffer, allocating zeros the first time; backward functions add into it.</summary>
    public Span<float> GradForAccumulate()
    {
        Grad ??= Zeros(Shape);
        return Grad._data;
    }

    /// <summary>Replaces the storage in place (same length); used by optimizers and checkpoint loading.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != _data.Length)
            throw new ArgumentException($"Cannot copy {source.Length} values into a tensor of shape {ShapeUtil.Format(Shape)}.");
        source.CopyTo(_data);
    }

    public override string ToString() => $"Tensor{ShapeUtil.Format(Shape)}{(GradFn is null ? "" : " <" + GradFn.OpName + ">")}";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    internal static bool ShouldRecord(ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }
}
