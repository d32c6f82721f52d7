using ILGPU;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// The tree sum of one value per thread over a group (a power of two, at most <see cref="GpuContext.MaxGroupSize"/>
/// threads: <see cref="GpuContext.ReductionGroupSize"/>) in shared memory: a fixed order for a fixed group size, so
/// device reductions are deterministic (no float atomics).
/// </summary>
internal static class GroupReduction
{
    /// <summary>Sum of <paramref name="value"/> over the group; every thread gets the result. All threads must call it.
    /// The tree runs in float64 (<see cref="Sum(double)"/>).</summary>
    public static float Sum(float value) => (float)Sum((double)value);

    /// <summary>The tree in float64: batch-norm statistics and their gradient sums accumulate in float64 per thread too,
    /// as the host path sums them (a channel's values can be nearly equal, and its variance then loses float32 digits).
    /// Every thread gets the result; all threads must call it.</summary>
    public static double Sum(double value)
    {
        var shared = SharedMemory.Allocate<double>(GpuContext.MaxGroupSize);
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half >>= 1)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        double total = shared[0];
        Group.Barrier();
        return total;
    }
}
