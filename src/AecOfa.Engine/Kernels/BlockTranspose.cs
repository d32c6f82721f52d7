using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Matrix transpose between planar (channel-major, NCHW) and interleaved (channels-last) layouts:
/// dst[j * dstStride + i] (+)= src[i * srcStride + j] for i in [0, rows), j in [0, cols). 8x8 blocks are transposed in
/// AVX registers (unpack, shuffle, 128-bit permute); the row and column remainders take a scalar loop. Pure data
/// movement (the add variant is one float add per element), so every path gives identical results.
/// </summary>
internal static unsafe class BlockTranspose
{
    /// <summary>dst[j * dstStride + i] = src[i * srcStride + j] (<paramref name="add"/>: +=).</summary>
    public static void Transpose(float* src, int rows, int cols, int srcStride, float* dst, int dstStride, bool add)
    {
        int i = 0;
        if (Avx.IsSupported)
        {
            for (; i + 8 <= rows; i += 8)
            {
                int j = 0;
                for (; j + 8 <= cols; j += 8)
                    Transpose8x8(src + (long)i * srcStride + j, srcStride, dst + (long)j * dstStride + i, dstStride, add);
                ScalarBlock(src, i, i + 8, j, cols, srcStride, dst, dstStride, add);
            }
        }
        ScalarBlock(src, i, rows, 0, cols, srcStride, dst, dstStride, add);
    }

    /// <summary>The naive transpose (also the remainder path).</summary>
    internal static void ScalarBlock(float* src, int i0, int i1, int j0, int j1, int srcStride, float* dst, int dstStride, bool add)
    {
        for (int i = i0; i < i1; i++)
            for (int j = j0; j < j1; j++)
            {
                float v = src[(long)i * srcStride + j];
                float* d = dst + (long)j * dstStride + i;
                *d = add ? *d + v : v;
            }
    }

    /// <summary>One 8x8 block in AVX registers: d[c * ds + r] (+)= s[r * ss + c] (also the GEMM's packing transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* s, nint ss, float* d, nint ds, bool add)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ss);
        var r2 = Avx.LoadVector256(s + 2 * ss);
        var r3 = Avx.LoadVector256(s + 3 * ss);
        var r4 = Avx.LoadVector256(s + 4 * ss);
        var r5 = Avx.LoadVector256(s + 5 * ss);
        var r6 = Avx.LoadVector256(s + 6 * ss);
        var r7 = Avx.LoadVector256(s + 7 * ss);
        // Interleave row pairs, then pick 2-element groups: sK holds columns K and K+4 of rows 0-3 (or 4-7).
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Put(d, Avx.Permute2x128(s0, s4, 0x20), add);
        Put(d + ds, Avx.Permute2x128(s1, s5, 0x20), add);
        Put(d + 2 * ds, Avx.Permute2x128(s2, s6, 0x20), add);
        Put(d + 3 * ds, Avx.Permute2x128(s3, s7, 0x20), add);
        Put(d + 4 * ds, Avx.Permute2x128(s0, s4, 0x31), add);
        Put(d + 5 * ds, Avx.Permute2x128(s1, s5, 0x31), add);
        Put(d + 6 * ds, Avx.Permute2x128(s2, s6, 0x31), add);
        Put(d + 7 * ds, Avx.Permute2x128(s3, s7, 0x31), add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* d, Vector256<float> v, bool add)
    {
        if (add) v = Avx.Add(Avx.LoadVector256(d), v);
        Avx.Store(d, v);
    }
}
