using AecOfa.Engine;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// The one ILGPU CPU accelerator the device tests share (creating one starts its worker threads): the device kernels
/// run on the host, so these tests need no GPU. Shapes stay tiny: the CPU accelerator is slow.
/// </summary>
public static class GpuTestDevice
{
    private static readonly Lazy<ComputeDevice> s_device = new(ComputeDevice.IlgpuCpu);

    public static ComputeDevice Device => s_device.Value;

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
