using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine;

/// <summary>
/// A dense float32 tensor with a shape, an exact-length storage array and an optional gradient.
/// The public shape convention for feature maps is (batch, channels, height=mel bins, width=frames);
/// the memory layout is row-major (NCHW) unless a kernel says otherwise inside itself.
/// The storage lives on one <see cref="ComputeDevice"/>: a float[] on the host, or an ILGPU buffer on an accelerator
/// (then <see cref="Data"/> throws; move it with <see cref="ToCpu"/>).
/// </summary>
public partial class Tensor
{
    private float[]? _data;
    private readonly int _numel;

    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        int n = ShapeUtil.Numel(shape);
        if (data.Length != n)
            throw new ArgumentException($"Data length {data.Length} does not match shape {ShapeUtil.Format(shape)} ({n} elements).", nameof(data));
        _data = data;
        _numel = n;
        Shape = (int[])shape.Clone();
    }

    /// <summary>Shape; treat as read-only.</summary>
    public int[] Shape { get; }

    /// <summary>Row-major storage, exactly <see cref="Numel"/> long.</summary>
    public float[] Data => _data ?? ThrowNoHostStorage();

    public Span<float> Span => Data;

    public int Numel => _numel;

    /// <summary>
    /// True once the <see cref="TensorArena"/> scope this tensor was created in has ended: its storage went back
    /// to the arena and reading <see cref="Data"/> throws.
    /// </summary>
    public bool IsReleased => _data is null && _deviceBuffer is null;

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
        get => Data[ShapeUtil.Offset(Shape, index)];
        set => Data[ShapeUtil.Offset(Shape, index)] = value;
    }

    public static Tensor Zeros(params int[] shape) => new(new float[ShapeUtil.Numel(shape)], shape);

    /// <summary>
    /// An op's result buffer: from the thread's active <see cref="TensorArena"/> when there is one (then it is
    /// released when that scope ends), else a fresh array. <paramref name="zeroed"/> false means the op
    /// overwrites every element, so a recycled buffer is not cleared.
    /// </summary>
    internal static Tensor ForOp(bool zeroed, params int[] shape)
    {
        var arena = TensorArena.Current;
        if (arena is null) return Zeros(shape);
        var t = new Tensor(arena.Rent(ShapeUtil.Numel(shape), zeroed), shape);
        arena.Track(t, owner: null);
        return t;
    }

    /// <summary>A tensor sharing <paramref name="source"/>'s storage (Reshape); released with the scope it was made in.</summary>
    internal static Tensor ViewOf(Tensor source, int[] shape)
    {
        var t = new Tensor(source.Data, shape);
        TensorArena.Current?.TrackView(t);
        return t;
    }

    /// <summary>Called by the arena: storage handed back (a device buffer this tensor owns is freed), every later read throws.</summary>
    internal float[]? Release()
    {
        var d = _data;
        _data = null;
        ReleaseDeviceStorage();
        return d;
    }

    private float[] ThrowNoHostStorage()
    {
        if (_deviceBuffer is not null)
            throw new DeviceMismatchException($"Tensor{ShapeUtil.Format(Shape)} lives on {Device}; host code read its values. Move it with ToCpu() first (transfers between devices are explicit).");
        return ThrowReleased();
    }

    private float[] ThrowReleased() => throw new ObjectDisposedException(nameof(Tensor),
        $"Tensor{ShapeUtil.Format(Shape)} was created inside a TensorArena scope that has ended; its storage has been recycled. Copy what you need (Item(), Detach()) before the scope ends.");

    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    public static Tensor Scalar(float value) => new(new[] { value });

    public static Tensor FromArray(float[] data, params int[] shape) => new(data, shape);

    /// <summary>Gaussian N(0, std^2) from a seeded generator (Box-Muller, deterministic for a seed).</summary>
    public static Tensor Randn(Random rng, float std, params int[] shape)
    {
        var t = Zeros(shape);
        SeededRandom.FillNormal(rng, t.Data, 0f, std);
        return t;
    }

    public static Tensor Uniform(Random rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * (float)rng.NextDouble();
        return t;
    }

    /// <summary>The value of a one-element tensor (copied to the host when the tensor lives on an accelerator).</summary>
    public float Item()
    {
        if (_numel != 1)
            throw new InvalidOperationException($"Item() needs a one-element tensor, got shape {ShapeUtil.Format(Shape)}.");
        return _deviceBuffer is null ? Data[0] : ToArray()[0];
    }

    /// <summary>A copy of the data, on the same device, that does not take part in autograd.</summary>
    public Tensor Detach()
    {
        if (_deviceBuffer is null) return new((float[])Data.Clone(), Shape);
        var copy = OnDevice(Device, zeroed: false, Shape);
        copy.View.CopyFrom(View);
        return copy;
    }

    /// <summary>Sets the gradient to null (it is allocated again on the next backward).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Where a host leaf's gradient goes instead of <see cref="Grad"/>: the thread's open deferred writes
    /// (concurrent training tasks), or null.</summary>
    private DeferredWrites? DeferredLeafGradients => GradFn is null && _deviceBuffer is null ? DeferredWrites.Current : null;

    /// <summary>Returns the gradient buffer, allocating zeros the first time; backward functions add into it.</summary>
    public Span<float> GradForAccumulate()
    {
        if (DeferredLeafGradients is { } writes) return writes.Gradient(this, zeroed: true, out _);
        if (Grad is null)
        {
            if (_deviceBuffer is not null) ThrowHostGradientOfDeviceTensor();
            var arena = TensorArena.Current;
            if (arena is null) Grad = Zeros(Shape);
            else
            {
                Grad = new Tensor(arena.Rent(_numel, zeroed: true), Shape);
                arena.Track(Grad, owner: this);
            }
        }
        return Grad.Data;
    }

    /// <summary>
    /// The gradient buffer for a backward function that writes every element: when no gradient exists yet, a new
    /// buffer is NOT cleared and <paramref name="accumulate"/> is false (overwrite it); otherwise the existing one is
    /// returned with <paramref name="accumulate"/> true (add into it). Saves a clearing pass per op in backward.
    /// </summary>
    internal Span<float> GradForWrite(out bool accumulate)
    {
        if (DeferredLeafGradients is { } writes) return writes.Gradient(this, zeroed: false, out accumulate);
        accumulate = Grad is not null;
        if (Grad is null)
        {
            if (_deviceBuffer is not null) ThrowHostGradientOfDeviceTensor();
            var arena = TensorArena.Current;
            if (arena is null) Grad = Zeros(Shape);
            else
            {
                Grad = new Tensor(arena.Rent(_numel, zeroed: false), Shape);
                arena.Track(Grad, owner: this);
            }
        }
        return Grad.Data;
    }

    /// <summary>Replaces the storage in place (same length), uploading when it lives on an accelerator; used by
    /// optimizers and checkpoint loading.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != _numel)
            throw new ArgumentException($"Cannot copy {source.Length} values into a tensor of shape {ShapeUtil.Format(Shape)}.");
        if (_deviceBuffer is not null) Upload(source);
        else source.CopyTo(Data);
    }

    public override string ToString() => $"Tensor{ShapeUtil.Format(Shape)}{(_deviceBuffer is null ? "" : " on " + Device)}{(GradFn is null ? "" : " <" + GradFn.OpName + ">")}";

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
