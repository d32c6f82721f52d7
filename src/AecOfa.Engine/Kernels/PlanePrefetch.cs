using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Software prefetch of the planes a banded depthwise kernel works on next. Those kernels visit the planes of one
/// channel across the batch, C * H * W floats apart (80 KB for 48 channels of 16x26): each plane is a short run of
/// cache lines the hardware prefetcher has to discover anew, and in a training step the activations come from memory,
/// not from the previous layer's cache. Asking for the next band's lines while the current band computes hides that
/// latency. Prefetches go to L2 (the current band's buffers fill L1) and never fault, so the address only has to be
/// right for speed; a no-op where SSE is not available.
/// </summary>
internal static class PlanePrefetch
{
    private const int LineFloats = 16; // 64-byte cache lines

    /// <summary>Prefetches <paramref name="count"/> planes of <paramref name="planeLength"/> floats: planes
    /// <paramref name="first"/>, first + step, ... of <paramref name="data"/> (plane k starts at k * planeLength).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Planes(ReadOnlySpan<float> data, long first, long step, int count, int planeLength)
    {
        if (!Sse.IsSupported || count <= 0 || planeLength <= 0) return;
        if (first < 0 || (first + (count - 1) * step + 1) * planeLength > data.Length) return;
        byte* basePtr = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data)); // a stale address after a GC move costs only the prefetch
        for (int s = 0; s < count; s++)
        {
            byte* plane = basePtr + (first + s * step) * planeLength * sizeof(float);
            for (int i = 0; i < planeLength; i += LineFloats) Sse.Prefetch1(plane + i * sizeof(float));
            Sse.Prefetch1(plane + (planeLength - 1) * sizeof(float)); // the last line when the plane does not start on one
        }
    }
}
