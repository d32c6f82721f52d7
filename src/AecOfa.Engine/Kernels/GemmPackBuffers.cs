namespace AecOfa.Engine.Kernels;

/// <summary>
/// Per-thread packing buffers for SGEMM: pinned (the address never moves), 64-byte aligned for the vector loads,
/// grown on demand and then reused, so steady-state calls allocate nothing. Each thread (callers and pool
/// workers) owns its own pair, so concurrent GEMMs never share one.
/// </summary>
internal static unsafe class GemmPackBuffers
{
    [ThreadStatic] private static float[]? t_a;
    [ThreadStatic] private static float[]? t_b;

    public static float* A(int floats) => Get(ref t_a, floats);

    public static float* B(int floats) => Get(ref t_b, floats);

    private static float* Get(ref float[]? buffer, int floats)
    {
        const int alignFloats = 16; // 64 bytes
        if (buffer == null || buffer.Length < floats + alignFloats)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 4096) + alignFloats, pinned: true);
        // A pinned-heap array never moves, so a pointer into it stays valid after this returns.
        float* p = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref buffer[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
