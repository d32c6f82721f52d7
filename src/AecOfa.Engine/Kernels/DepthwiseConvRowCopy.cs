using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Short-row data movement for the depthwise layouts. Rows are 2 .. 60 floats, and a Span.CopyTo (memmove) call
/// per row costs more than the copy itself at k = 3; these inline loops move whole vectors, then the tail.
/// </summary>
internal static class DepthwiseConvRowCopy
{
    /// <summary>dst[0..n) = src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ReadOnlySpan<float> src, Span<float> dst, int n)
    {
        if ((uint)n > (uint)src.Length || (uint)n > (uint)dst.Length) ThrowTooShort();
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16) Vector512.LoadUnsafe(ref s, i).StoreUnsafe(ref d, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8) Vector256.LoadUnsafe(ref s, i).StoreUnsafe(ref d, i);
        for (; i < len; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }

    /// <summary>dst[j] += src[j] for j in [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Add(ReadOnlySpan<float> src, Span<float> dst, int n)
    {
        if ((uint)n > (uint)src.Length || (uint)n > (uint)dst.Length) ThrowTooShort();
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16) (Vector512.LoadUnsafe(ref d, i) + Vector512.LoadUnsafe(ref s, i)).StoreUnsafe(ref d, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8) (Vector256.LoadUnsafe(ref d, i) + Vector256.LoadUnsafe(ref s, i)).StoreUnsafe(ref d, i);
        for (; i < len; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i);
    }

    /// <summary>Splits a row by column parity: even[j] = src[2j], odd[j] = src[2j + 1] (n source elements).</summary>
    internal static void Deinterleave2(ReadOnlySpan<float> src, Span<float> even, Span<float> odd, int n)
    {
        if ((uint)n > (uint)src.Length || (n + 1) / 2 > even.Length || n / 2 > odd.Length) ThrowTooShort();
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float e = ref MemoryMarshal.GetReference(even);
        ref float o = ref MemoryMarshal.GetReference(odd);
        int i = 0;
        if (Avx512F.IsSupported)
        {
            var evenIdx = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var oddIdx = evenIdx + Vector512<int>.One;
            for (; i + 32 <= n; i += 32)
            {
                var lo = Vector512.LoadUnsafe(ref s, (nuint)i);
                var hi = Vector512.LoadUnsafe(ref s, (nuint)i + 16);
                Avx512F.PermuteVar16x32x2(lo, evenIdx, hi).StoreUnsafe(ref e, (nuint)(i / 2));
                Avx512F.PermuteVar16x32x2(lo, oddIdx, hi).StoreUnsafe(ref o, (nuint)(i / 2));
            }
        }
        for (; i + 1 < n; i += 2)
        {
            Unsafe.Add(ref e, i / 2) = Unsafe.Add(ref s, i);
            Unsafe.Add(ref o, i / 2) = Unsafe.Add(ref s, i + 1);
        }
        if (i < n) Unsafe.Add(ref e, i / 2) = Unsafe.Add(ref s, i);
    }

    /// <summary>Merges two column phases back into a row, adding: dst[2j] += even[j], dst[2j + 1] += odd[j] (n dst elements).</summary>
    internal static void Interleave2Add(ReadOnlySpan<float> even, ReadOnlySpan<float> odd, Span<float> dst, int n)
    {
        if ((uint)n > (uint)dst.Length || (n + 1) / 2 > even.Length || n / 2 > odd.Length) ThrowTooShort();
        ref float e = ref MemoryMarshal.GetReference(even);
        ref float o = ref MemoryMarshal.GetReference(odd);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Avx512F.IsSupported)
        {
            var loIdx = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var hiIdx = loIdx + Vector512.Create(8);
            for (; i + 32 <= n; i += 32)
            {
                var ev = Vector512.LoadUnsafe(ref e, (nuint)(i / 2));
                var ov = Vector512.LoadUnsafe(ref o, (nuint)(i / 2));
                (Vector512.LoadUnsafe(ref d, (nuint)i) + Avx512F.PermuteVar16x32x2(ev, loIdx, ov)).StoreUnsafe(ref d, (nuint)i);
                (Vector512.LoadUnsafe(ref d, (nuint)i + 16) + Avx512F.PermuteVar16x32x2(ev, hiIdx, ov)).StoreUnsafe(ref d, (nuint)i + 16);
            }
        }
        for (; i + 1 < n; i += 2)
        {
            Unsafe.Add(ref d, i) += Unsafe.Add(ref e, i / 2);
            Unsafe.Add(ref d, i + 1) += Unsafe.Add(ref o, i / 2);
        }
        if (i < n) Unsafe.Add(ref d, i) += Unsafe.Add(ref e, i / 2);
    }

    private static void ThrowTooShort() => throw new ArgumentException("DepthwiseConvRowCopy: span shorter than the row.");
}
