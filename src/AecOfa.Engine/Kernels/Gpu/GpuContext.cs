using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// One ILGPU context and accelerator with its compiled kernels (each compiled once, on first use). All work goes to the
/// accelerator's default stream, so kernels and copies run in the order they were issued and a host read after
/// <see cref="Synchronize"/> sees every earlier write.
/// </summary>
internal sealed class GpuContext : IDisposable
{
    /// <summary>Threads per group of the grouped kernels (reductions, GEMM tiles); every CUDA GPU allows 1024.</summary>
    public const int MaxGroupSize = 256;

    private readonly Context _context;
    private readonly ConcurrentDictionary<string, Delegate> _kernels = new(StringComparer.Ordinal);

    private GpuContext(Context context, Accelerator accelerator, int reductionGroupSize, bool prefersSimpleKernels)
    {
        _context = context;
        Accelerator = accelerator;
        ReductionGroupSize = reductionGroupSize;
        PrefersSimpleKernels = prefersSimpleKernels;
    }

    /// <summary>
    /// True on ILGPU's CPU accelerator with small groups: ops take the simple variant of a kernel family where there is
    /// one (the GEMM), because group barriers there synchronize real threads; the tiled variants are tested there directly.
    /// </summary>
    public bool PrefersSimpleKernels { get; }

    /// <summary>
    /// Threads per group of the reduction kernels (a power of two): <see cref="MaxGroupSize"/> on a GPU; small on ILGPU's
    /// CPU accelerator, where every group barrier synchronizes real threads and dominates the run time.
    /// </summary>
    public int ReductionGroupSize { get; }

    public Accelerator Accelerator { get; }

    public string AcceleratorName => Accelerator.Name;

    /// <summary>CUDA device <paramref name="index"/>, or a clear error naming what was looked for.</summary>
    public static GpuContext CreateCuda(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        const string lookedFor = "ILGPU looked for the CUDA driver library (libcuda.so.1 on Linux, nvcuda.dll on Windows, installed with the NVIDIA driver) and the CUDA devices it reports";
        Context context;
        try { context = Context.Create(b => b.Cuda().EnableAlgorithms()); }
        catch (Exception e) { throw new ComputeDeviceUnavailableException($"CUDA was asked for but could not be initialized: {lookedFor}; it failed with: {e.Message}", e); }
        var devices = context.GetCudaDevices();
        if (devices.Count <= index)
        {
            context.Dispose();
            throw new ComputeDeviceUnavailableException(devices.Count == 0
                ? $"CUDA was asked for but no CUDA device was found: {lookedFor}, and found none (no NVIDIA driver, or no GPU visible to this process: check nvidia-smi and CUDA_VISIBLE_DEVICES)."
                : $"CUDA device {index} was asked for but only {devices.Count} CUDA device(s) exist.");
        }
        try { return new GpuContext(context, context.CreateCudaAccelerator(index), MaxGroupSize, prefersSimpleKernels: false); }
        catch (Exception e)
        {
            context.Dispose();
            throw new ComputeDeviceUnavailableException($"CUDA device {index} ({devices[index].Name}) was found but could not be opened: {e.Message}", e);
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator. It runs every thread of a group as an OS thread and group barriers as real
    /// synchronizations (about a millisecond per group on a small machine), so the default runs the reduction kernels
    /// with groups of <paramref name="groupSize"/> = 1 (the same kernels, a trivial tree) and the simple GEMM; tests of
    /// the tree reductions use 16, and 256 (the GPU's group size) also runs the tiled GEMM.
    /// </summary>
    public static GpuContext CreateCpu(int groupSize = 1)
    {
        if (groupSize < 1 || groupSize > MaxGroupSize || (groupSize & (groupSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(groupSize), $"groupSize = {groupSize} must be a power of two in [1, {MaxGroupSize}].");
        var device = new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: Math.Max(1, groupSize / 4), numMultiprocessors: 1);
        var context = Context.Create(b => b.CPU(device).EnableAlgorithms());
        return new GpuContext(context, context.CreateCPUAccelerator(0), reductionGroupSize: groupSize, prefersSimpleKernels: groupSize < MaxGroupSize);
    }

    /// <summary>The kernel compiled by <paramref name="load"/>, loaded once per accelerator under <paramref name="key"/>.</summary>
    public TKernel Kernel<TKernel>(string key, Func<Accelerator, TKernel> load) where TKernel : Delegate
        => (TKernel)_kernels.GetOrAdd(key, static (_, arg) => arg.load(arg.accelerator), (load, accelerator: Accelerator));

    /// <summary>An uninitialized buffer of <paramref name="length"/> floats (at least one, so views are never empty).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Allocate(long length) => Accelerator.Allocate1D<float>(Math.Max(1, length));

    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
