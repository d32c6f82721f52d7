using AecOfa.Engine.Kernels.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine;

/// <summary>The device side of <see cref="Tensor"/>: accelerator storage, explicit transfers and device gradients.</summary>
public partial class Tensor
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _deviceBuffer;
    private ComputeDevice? _device;
    private bool _ownsDeviceBuffer;

    /// <summary>A tensor over accelerator storage (internal: created by <see cref="OnDevice"/>, views and transfers).</summary>
    private Tensor(ComputeDevice device, MemoryBuffer1D<float, Stride1D.Dense> buffer, bool ownsBuffer, int[] shape)
    {
        _numel = ShapeUtil.Numel(shape);
        Shape = (int[])shape.Clone();
        _device = device;
        _deviceBuffer = buffer;
        _ownsDeviceBuffer = ownsBuffer;
    }

    /// <summary>The device holding this tensor's storage.</summary>
    public ComputeDevice Device => _device ?? ComputeDevice.Cpu;

    /// <summary>True when the storage is a host float[] (the CPU kernels' path).</summary>
    public bool IsOnCpu => _device is null;

    /// <summary>The accelerator storage as a dense view of exactly <see cref="Numel"/> floats.</summary>
    internal ArrayView<float> View
    {
        get
        {
            if (_deviceBuffer is null)
                throw _data is null ? new ObjectDisposedException(nameof(Tensor), $"Tensor{ShapeUtil.Format(Shape)} has been released.")
                    : new DeviceMismatchException($"Tensor{ShapeUtil.Format(Shape)} lives on the host; device code needs it on an accelerator (ToDevice).");
            return _deviceBuffer.View.SubView(0, _numel).AsContiguous();
        }
    }

    /// <summary>A zeroed tensor on <paramref name="device"/> (like <see cref="Zeros(int[])"/>, never taken by an arena).</summary>
    public static Tensor Zeros(ComputeDevice device, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.IsCpu ? Zeros(shape) : OnDeviceUntracked(device, zeroed: true, shape);
    }

    /// <summary>
    /// An op's result on an accelerator; tracked by the thread's active <see cref="TensorArena"/> (freed when its scope
    /// ends) when there is one. <paramref name="zeroed"/> false: the op overwrites every element.
    /// </summary>
    internal static Tensor OnDevice(ComputeDevice device, bool zeroed, params int[] shape) => OnDeviceFor(device, zeroed, owner: null, shape);

    /// <summary>A device tensor from the active arena's pool (tracked, as the gradient of <paramref name="owner"/> when
    /// given), or a fresh untracked buffer outside a scope.</summary>
    private static Tensor OnDeviceFor(ComputeDevice device, bool zeroed, Tensor? owner, int[] shape)
    {
        var arena = TensorArena.Current;
        if (arena is null) return OnDeviceUntracked(device, zeroed, shape);
        var gpu = device.Accelerated;
        var buffer = arena.DevicePool.Rent(gpu, ShapeUtil.Numel(shape));
        if (zeroed) buffer.MemSetToZero();
        var t = new Tensor(device, buffer, ownsBuffer: true, shape);
        arena.Track(t, owner);
        return t;
    }

    /// <summary>Called by the arena: hands back the buffer this tensor owns (null for a view) without freeing it; the
    /// tensor is released.</summary>
    internal MemoryBuffer1D<float, Stride1D.Dense>? TakeDeviceBuffer()
    {
        var buffer = _deviceBuffer;
        bool owned = _ownsDeviceBuffer;
        _deviceBuffer = null;
        return owned ? buffer : null;
    }

    /// <summary>A device tensor no arena frees (leaves moved in place, tensors made outside a training step).</summary>
    private static Tensor OnDeviceUntracked(ComputeDevice device, bool zeroed, int[] shape)
    {
        var buffer = device.Accelerated.Allocate(ShapeUtil.Numel(shape));
        if (zeroed) buffer.MemSetToZero();
        return new Tensor(device, buffer, ownsBuffer: true, shape);
    }

    /// <summary>A view sharing a device tensor's buffer with another shape (never frees it).</summary>
    internal static Tensor DeviceViewOf(Tensor source, int[] shape)
    {
        var t = new Tensor(source.Device, source._deviceBuffer ?? throw new InvalidOperationException("DeviceViewOf needs a device tensor."), ownsBuffer: false, shape);
        TensorArena.Current?.TrackView(t);
        return t;
    }

    /// <summary>
    /// This tensor's values on <paramref name="device"/>: itself when it is already there, otherwise a copy (the
    /// transfer is the visible cost; it does not take part in autograd). Inside a <see cref="TensorArena"/> scope a
    /// device copy is the scope's (released when it ends), like an op result.
    /// </summary>
    public Tensor ToDevice(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (ReferenceEquals(device, Device)) return this;
        if (device.IsCpu) return new Tensor(ToArray(), Shape);
        var t = OnDevice(device, zeroed: false, Shape); // inside an arena scope: a pooled buffer, released with the scope
        t.Upload(_deviceBuffer is null ? Data : ToArray());
        return t;
    }

    /// <summary>A copy on another device that no arena tracks.</summary>
    private Tensor CopyTo(ComputeDevice device)
    {
        if (device.IsCpu) return new Tensor(ToArray(), Shape);
        var t = OnDeviceUntracked(device, zeroed: false, Shape);
        t.Upload(_deviceBuffer is null ? Data : ToArray());
        return t;
    }

    /// <summary>This tensor's values on the host (itself when already there).</summary>
    public Tensor ToCpu() => ToDevice(ComputeDevice.Cpu);

    /// <summary>A host copy of the values, from either device (waits for queued kernels).</summary>
    public float[] ToArray()
    {
        if (_deviceBuffer is null) return (float[])Data.Clone();
        var host = new float[_numel];
        Device.Synchronize();
        View.CopyToCPU(host);
        return host;
    }

    /// <summary>
    /// Moves this tensor's storage (and gradient) to <paramref name="device"/> in place: the same object now lives
    /// there. For leaves that are referenced by modules and optimizers (parameters, BN buffers); op results use
    /// <see cref="ToDevice"/>.
    /// </summary>
    public void MoveTo(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (ReferenceEquals(device, Device)) return;
        if (GradFn is not null)
            throw new InvalidOperationException($"MoveTo: {this} is the result of an op; only leaves (parameters, buffers, inputs) move in place. Use ToDevice for a copy.");
        var moved = CopyTo(device);
        var grad = Grad?.CopyTo(device);
        ReleaseDeviceStorage();
        _data = moved._data;
        _deviceBuffer = moved._deviceBuffer;
        _ownsDeviceBuffer = moved._deviceBuffer is not null;
        _device = moved._device;
        moved._deviceBuffer = null;
        Grad = grad;
    }

    /// <summary>
    /// Writes <paramref name="source"/> into elements [offset, offset + source.Length) on either device (an elastic
    /// layer's prefix of running statistics).
    /// </summary>
    public void CopyFrom(ReadOnlySpan<float> source, int offset)
    {
        if (offset < 0 || offset + source.Length > _numel)
            throw new ArgumentException($"Cannot copy {source.Length} values at offset {offset} into a tensor of shape {ShapeUtil.Format(Shape)}.");
        if (_deviceBuffer is null) source.CopyTo(Data.AsSpan(offset));
        else View.SubView(offset, source.Length).CopyFromCPU(source.ToArray());
    }

    /// <summary>Writes host values into this device tensor's storage.</summary>
    private void Upload(ReadOnlySpan<float> source)
    {
        View.CopyFromCPU(source.ToArray());
    }

    private void ReleaseDeviceStorage()
    {
        var buffer = _deviceBuffer;
        _deviceBuffer = null;
        if (buffer is not null && _ownsDeviceBuffer) buffer.Dispose();
    }

    /// <summary>The gradient on this tensor's device, allocating zeros the first time; device backward kernels add into it.</summary>
    internal Tensor DeviceGradForAccumulate()
    {
        if (Grad is null)
        {
            Grad = OnDeviceFor(Device, zeroed: true, owner: this, Shape);
        }
        return Grad;
    }

    /// <summary>As <see cref="GradForWrite"/> on the device: a fresh gradient is not cleared and <paramref name="accumulate"/> is false.</summary>
    internal Tensor DeviceGradForWrite(out bool accumulate)
    {
        accumulate = Grad is not null;
        if (Grad is null)
        {
            Grad = OnDeviceFor(Device, zeroed: false, owner: this, Shape);
        }
        return Grad;
    }

    private void ThrowHostGradientOfDeviceTensor() => throw new DeviceMismatchException(
        $"Tensor{ShapeUtil.Format(Shape)} lives on {Device}, but a host (CPU) op is computing its gradient: an op without a device path was given device tensors.");

    /// <summary>
    /// The one device all of an op's tensors share (null ones are skipped); throws <see cref="DeviceMismatchException"/>
    /// naming the op and both devices otherwise.
    /// </summary>
    internal static ComputeDevice CommonDevice(string op, Tensor a, Tensor? b = null, Tensor? c = null, Tensor? d = null, Tensor? e = null)
    {
        var device = a.Device;
        Check(b); Check(c); Check(d); Check(e);
        return device;

        void Check(Tensor? t)
        {
            if (t is not null && !ReferenceEquals(t.Device, device))
                throw new DeviceMismatchException($"{op}: inputs live on different devices ({device} and {t.Device}); move them with ToDevice first.");
        }
    }
}
