// The vector kernels below were written out by a small generator script (one pattern, repeated per register);
// change the pattern in all of them together.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// No-pack SGEMM for small and skinny shapes with op(B) = B (row-major, unit column stride): reads A and B in place
/// (op(A)(i, p) = a[i * ars + p * acs], so both transA cases work), keeps 4 x 2 vectors of C in registers, then
/// 4 x 1 vector (then 8 lanes on the Vector512 path), then scalar FMA columns. Each C element is the k-sequential FMA chain from zero, then added to C
/// (or stored), whichever block it falls in: results do not depend on where a thread's range starts.
/// Saves the packing traffic that dominates when m or k is tiny; slower than packed on large shapes.
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>C (m x n) = op(A) B (+ C when add); m, n, k >= 1. Path must be Vector512 or Vector256.</summary>
    public static void Run(GemmKernelPath path, int m, int n, int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        if (path == GemmKernelPath.Vector512) RunVector512(m, n, k, a, ars, acs, b, ldb, c, ldc, add);
        else if (path == GemmKernelPath.Vector256) RunVector256(m, n, k, a, ars, acs, b, ldb, c, ldc, add);
        else throw new ArgumentException($"GemmDirect has no {path} path.", nameof(path));
    }

    private static void Element(int k, float* a, nint acs, float* b, nint ldb, float* c, bool add)
    {
        float acc = 0f;
        for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(a[p * acs], b[p * ldb], acc);
        *c = add ? *c + acc : acc;
    }

    private static void RunVector512(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4) RowVector512(4, n, k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, add);
        for (; i < m; i++) RowVector512(1, n, k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, add);
    }

    private static void RowVector512(int rows, int n, int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        int j = 0;
        if (rows == 4)
        {
            for (; j + 32 <= n; j += 32) Vector512_4x32(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            for (; j + 16 <= n; j += 16) Vector512_4x16(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            if (j + 8 <= n) { Vector256_4x8(k, a, ars, acs, b + j, ldb, c + j, ldc, add); j += 8; }
        }
        else
        {
            for (; j + 32 <= n; j += 32) Vector512_1x32(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            for (; j + 16 <= n; j += 16) Vector512_1x16(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            if (j + 8 <= n) { Vector256_1x8(k, a, ars, acs, b + j, ldb, c + j, ldc, add); j += 8; }
        }
        for (; j < n; j++)
            for (int r = 0; r < rows; r++) Element(k, a + r * ars, acs, b + j, ldb, c + r * ldc + j, add);
    }

    private static void RunVector256(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4) RowVector256(4, n, k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, add);
        for (; i < m; i++) RowVector256(1, n, k, a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, add);
    }

    private static void RowVector256(int rows, int n, int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        int j = 0;
        if (rows == 4)
        {
            for (; j + 16 <= n; j += 16) Vector256_4x16(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            for (; j + 8 <= n; j += 8) Vector256_4x8(k, a, ars, acs, b + j, ldb, c + j, ldc, add);

        }
        else
        {
            for (; j + 16 <= n; j += 16) Vector256_1x16(k, a, ars, acs, b + j, ldb, c + j, ldc, add);
            for (; j + 8 <= n; j += 8) Vector256_1x8(k, a, ars, acs, b + j, ldb, c + j, ldc, add);

        }
        for (; j < n; j++)
            for (int r = 0; r < rows; r++) Element(k, a + r * ars, acs, b + j, ldb, c + r * ldc + j, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector512_4x32(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        float* a0 = a + 0 * ars; float* a1 = a + 1 * ars; float* a2 = a + 2 * ars; float* a3 = a + 3 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var s0 = Vector512.Create(a0[pa]);
            c00 = Vector512.FusedMultiplyAdd(s0, b0, c00); c01 = Vector512.FusedMultiplyAdd(s0, b1, c01);
            var s1 = Vector512.Create(a1[pa]);
            c10 = Vector512.FusedMultiplyAdd(s1, b0, c10); c11 = Vector512.FusedMultiplyAdd(s1, b1, c11);
            var s2 = Vector512.Create(a2[pa]);
            c20 = Vector512.FusedMultiplyAdd(s2, b0, c20); c21 = Vector512.FusedMultiplyAdd(s2, b1, c21);
            var s3 = Vector512.Create(a3[pa]);
            c30 = Vector512.FusedMultiplyAdd(s3, b0, c30); c31 = Vector512.FusedMultiplyAdd(s3, b1, c31);
        }
        { float* d = c + 0 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c00 : c00, d); }
        { float* d = c + 0 * ldc + 16; Vector512.Store(add ? Vector512.Load(d) + c01 : c01, d); }
        { float* d = c + 1 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c10 : c10, d); }
        { float* d = c + 1 * ldc + 16; Vector512.Store(add ? Vector512.Load(d) + c11 : c11, d); }
        { float* d = c + 2 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c20 : c20, d); }
        { float* d = c + 2 * ldc + 16; Vector512.Store(add ? Vector512.Load(d) + c21 : c21, d); }
        { float* d = c + 3 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c30 : c30, d); }
        { float* d = c + 3 * ldc + 16; Vector512.Store(add ? Vector512.Load(d) + c31 : c31, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector512_4x16(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero;
        float* a0 = a + 0 * ars; float* a1 = a + 1 * ars; float* a2 = a + 2 * ars; float* a3 = a + 3 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector512.Load(b + 0);
            var s0 = Vector512.Create(a0[pa]);
            c00 = Vector512.FusedMultiplyAdd(s0, b0, c00);
            var s1 = Vector512.Create(a1[pa]);
            c10 = Vector512.FusedMultiplyAdd(s1, b0, c10);
            var s2 = Vector512.Create(a2[pa]);
            c20 = Vector512.FusedMultiplyAdd(s2, b0, c20);
            var s3 = Vector512.Create(a3[pa]);
            c30 = Vector512.FusedMultiplyAdd(s3, b0, c30);
        }
        { float* d = c + 0 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c00 : c00, d); }
        { float* d = c + 1 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c10 : c10, d); }
        { float* d = c + 2 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c20 : c20, d); }
        { float* d = c + 3 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c30 : c30, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector512_1x32(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        float* a0 = a + 0 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var s0 = Vector512.Create(a0[pa]);
            c00 = Vector512.FusedMultiplyAdd(s0, b0, c00); c01 = Vector512.FusedMultiplyAdd(s0, b1, c01);
        }
        { float* d = c + 0 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c00 : c00, d); }
        { float* d = c + 0 * ldc + 16; Vector512.Store(add ? Vector512.Load(d) + c01 : c01, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector512_1x16(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero;
        float* a0 = a + 0 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector512.Load(b + 0);
            var s0 = Vector512.Create(a0[pa]);
            c00 = Vector512.FusedMultiplyAdd(s0, b0, c00);
        }
        { float* d = c + 0 * ldc + 0; Vector512.Store(add ? Vector512.Load(d) + c00 : c00, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector256_4x16(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        float* a0 = a + 0 * ars; float* a1 = a + 1 * ars; float* a2 = a + 2 * ars; float* a3 = a + 3 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var s0 = Vector256.Create(a0[pa]);
            c00 = Vector256.FusedMultiplyAdd(s0, b0, c00); c01 = Vector256.FusedMultiplyAdd(s0, b1, c01);
            var s1 = Vector256.Create(a1[pa]);
            c10 = Vector256.FusedMultiplyAdd(s1, b0, c10); c11 = Vector256.FusedMultiplyAdd(s1, b1, c11);
            var s2 = Vector256.Create(a2[pa]);
            c20 = Vector256.FusedMultiplyAdd(s2, b0, c20); c21 = Vector256.FusedMultiplyAdd(s2, b1, c21);
            var s3 = Vector256.Create(a3[pa]);
            c30 = Vector256.FusedMultiplyAdd(s3, b0, c30); c31 = Vector256.FusedMultiplyAdd(s3, b1, c31);
        }
        { float* d = c + 0 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c00 : c00, d); }
        { float* d = c + 0 * ldc + 8; Vector256.Store(add ? Vector256.Load(d) + c01 : c01, d); }
        { float* d = c + 1 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c10 : c10, d); }
        { float* d = c + 1 * ldc + 8; Vector256.Store(add ? Vector256.Load(d) + c11 : c11, d); }
        { float* d = c + 2 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c20 : c20, d); }
        { float* d = c + 2 * ldc + 8; Vector256.Store(add ? Vector256.Load(d) + c21 : c21, d); }
        { float* d = c + 3 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c30 : c30, d); }
        { float* d = c + 3 * ldc + 8; Vector256.Store(add ? Vector256.Load(d) + c31 : c31, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector256_4x8(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero;
        float* a0 = a + 0 * ars; float* a1 = a + 1 * ars; float* a2 = a + 2 * ars; float* a3 = a + 3 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector256.Load(b + 0);
            var s0 = Vector256.Create(a0[pa]);
            c00 = Vector256.FusedMultiplyAdd(s0, b0, c00);
            var s1 = Vector256.Create(a1[pa]);
            c10 = Vector256.FusedMultiplyAdd(s1, b0, c10);
            var s2 = Vector256.Create(a2[pa]);
            c20 = Vector256.FusedMultiplyAdd(s2, b0, c20);
            var s3 = Vector256.Create(a3[pa]);
            c30 = Vector256.FusedMultiplyAdd(s3, b0, c30);
        }
        { float* d = c + 0 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c00 : c00, d); }
        { float* d = c + 1 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c10 : c10, d); }
        { float* d = c + 2 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c20 : c20, d); }
        { float* d = c + 3 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c30 : c30, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector256_1x16(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        float* a0 = a + 0 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var s0 = Vector256.Create(a0[pa]);
            c00 = Vector256.FusedMultiplyAdd(s0, b0, c00); c01 = Vector256.FusedMultiplyAdd(s0, b1, c01);
        }
        { float* d = c + 0 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c00 : c00, d); }
        { float* d = c + 0 * ldc + 8; Vector256.Store(add ? Vector256.Load(d) + c01 : c01, d); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vector256_1x8(int k, float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, bool add)
    {
        var c00 = Vector256<float>.Zero;
        float* a0 = a + 0 * ars;
        for (int p = 0; p < k; p++, b += ldb)
        {
            nint pa = p * acs;
            var b0 = Vector256.Load(b + 0);
            var s0 = Vector256.Create(a0[pa]);
            c00 = Vector256.FusedMultiplyAdd(s0, b0, c00);
        }
        { float* d = c + 0 * ldc + 0; Vector256.Store(add ? Vector256.Load(d) + c00 : c00, d); }
    }
}
