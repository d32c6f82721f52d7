using AecOfa.Engine.Kernels.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine;

/// <summary>
/// A <see cref="TensorArena"/>'s free device buffers, by accelerator and length: a warm training step on a GPU allocates
/// no device memory (a CUDA free would also wait for the device). Reusing a buffer inside a step is safe without a
/// wait: every kernel runs on the accelerator's one in-order stream, so the kernels that read a buffer's old values
/// were queued before any kernel that overwrites it.
/// </summary>
internal sealed class DeviceBufferPool
{
    private readonly Dictionary<(GpuContext Gpu, long Length), Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = new();

    public long Reused { get; private set; }

    public long Allocated { get; private set; }

    public MemoryBuffer1D<float, Stride1D.Dense> Rent(GpuContext gpu, long length)
    {
        if (_free.TryGetValue((gpu, length), out var stack) && stack.Count > 0)
        {
            Reused++;
            return stack.Pop();
        }
        Allocated++;
        return gpu.Allocate(length);
    }

    public void Return(GpuContext gpu, long length, MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        if (!_free.TryGetValue((gpu, length), out var stack))
        {
            stack = new Stack<MemoryBuffer1D<float, Stride1D.Dense>>();
            _free[(gpu, length)] = stack;
        }
        stack.Push(buffer);
    }

    /// <summary>Frees every pooled buffer.</summary>
    public void Clear()
    {
        foreach (var stack in _free.Values)
            while (stack.Count > 0) stack.Pop().Dispose();
        _free.Clear();
    }
}
