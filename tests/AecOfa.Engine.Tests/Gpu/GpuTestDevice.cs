using AecOfa.Engine;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// The one ILGPU CPU accelerator the device tests share (creating one starts its worker threads): the device kernels
/// run on the host, so these tests need no GPU. Shapes stay tiny: the CPU accelerator is slow.
/// </summary>
public static class GpuTestDevice
{
    private static readonly Lazy<ComputeDevice> s_device = new(ComputeDevice.IlgpuCpu);
    private static readonly Lazy<ComputeDevice> s_grouped = new(() => ComputeDevice.IlgpuCpu(groupSize: 16));

    /// <summary>Reductions with groups of one thread (fast on the CPU accelerator).</summary>
    public static ComputeDevice Device => s_device.Value;

    /// <summary>Reductions with groups of 16 threads: the shared-memory trees run for real.</summary>
    public static ComputeDevice Grouped => s_grouped.Value;

    /// <summary>Both test devices: op parity is checked on each.</summary>
    public static IEnumerable<ComputeDevice> All => [Device, Grouped];

    /// <summary>Deterministic values in [-1, 1).</summary>
    public static float[] Random(int seed, int length)
    {
        var rng = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float)(2 * rng.NextDouble() - 1);
        return v;
    }

    /// <summary>A host tensor of deterministic values and its copy on the test device.</summary>
    public static (Tensor Host, Tensor Device) Pair(int seed, params int[] shape)
    {
        var host = Tensor.FromArray(Random(seed, ShapeUtil.Numel(shape)), shape);
        return (host, host.ToDevice(Device));
    }

    public static double[] Doubles(float[] v) => Array.ConvertAll(v, x => (double)x);
}
