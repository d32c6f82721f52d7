using AecOfa.Engine.Kernels.Gpu;

namespace AecOfa.Engine;

/// <summary>
/// Where a tensor's storage lives: the host (<see cref="Cpu"/>, the SIMD kernels) or an ILGPU accelerator (a CUDA GPU,
/// or ILGPU's CPU accelerator, which runs the same device kernels on the host for tests). Ops run on the device of
/// their inputs; moving data between devices is always explicit (<see cref="Tensor.ToDevice"/>).
/// </summary>
public sealed class ComputeDevice
{
    private ComputeDevice(string name, GpuContext? gpu)
    {
        Name = name;
        Gpu = gpu;
    }

    /// <summary>The host: tensors hold a float[] and ops run the CPU kernels.</summary>
    public static ComputeDevice Cpu { get; } = new("cpu", null);

    /// <summary>A short human-readable name ("cpu", "cuda:0 (NVIDIA H200)", "ilgpu-cpu").</summary>
    public string Name { get; }

    /// <summary>True for the host device.</summary>
    public bool IsCpu => Gpu is null;

    /// <summary>The accelerator and its loaded kernels; null for the host.</summary>
    internal GpuContext? Gpu { get; }

    /// <summary>The accelerator of a non-host device (internal callers have checked <see cref="IsCpu"/>).</summary>
    internal GpuContext Accelerated => Gpu ?? throw new InvalidOperationException("The host device has no accelerator.");

    /// <summary>
    /// The first CUDA GPU through ILGPU. Throws <see cref="ComputeDeviceUnavailableException"/> saying what was looked
    /// for when there is no CUDA driver or no CUDA device.
    /// </summary>
    public static ComputeDevice Cuda(int index = 0)
    {
        var gpu = GpuContext.CreateCuda(index);
        return new ComputeDevice($"cuda:{index} ({gpu.AcceleratorName})", gpu);
    }

    /// <summary>
    /// ILGPU's CPU accelerator: the device kernels executed on the host (slow; for tests and for checking the device
    /// path on machines without a GPU), with small groups (see <see cref="GpuContext.CreateCpu"/>).
    /// </summary>
    public static ComputeDevice IlgpuCpu() => IlgpuCpu(1);

    /// <summary>ILGPU's CPU accelerator with reduction groups of <paramref name="groupSize"/> threads (a power of two in
    /// [1, 256]; 256 also runs the tiled GEMM, as on a GPU).</summary>
    public static ComputeDevice IlgpuCpu(int groupSize) => new($"ilgpu-cpu{(groupSize > 1 ? "/" + groupSize : "")}", GpuContext.CreateCpu(groupSize));

    /// <summary>
    /// The device named on a command line: "cpu", "cuda" (a CUDA GPU or a clear error) or "auto" (a CUDA GPU when
    /// there is one, else the host).
    /// </summary>
    public static ComputeDevice FromOption(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        switch (option.Trim().ToLowerInvariant())
        {
            case "cpu": return Cpu;
            case "cuda": return Cuda();
            case "auto":
                try { return Cuda(); }
                catch (ComputeDeviceUnavailableException) { return Cpu; }
            default:
                throw new ArgumentException($"Unknown device '{option}': expected cpu, cuda or auto.", nameof(option));
        }
    }

    /// <summary>Waits until every kernel queued on this device has finished (no-op on the host).</summary>
    public void Synchronize() => Gpu?.Synchronize();

    public override string ToString() => Name;
}
