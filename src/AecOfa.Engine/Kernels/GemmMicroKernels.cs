// The vector kernels below were written out by a small generator script (one pattern, repeated per register);
// change the pattern in all of them together.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Register-blocked SGEMM micro-kernels. Each keeps an MR x NR tile of C in registers while streaming kc steps of
/// a packed A micro-panel (MR floats per k) and a packed B micro-panel (NR floats per k), one FMA per vector per
/// row per k. Every C element is the k-sequential FMA chain starting from zero, then added to C (or stored):
/// the same arithmetic at every tile position and thread split. The vector kernels fuse (FMA); the scalar fallback
/// multiplies then adds.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Vector512 micro-kernel: C[6 x 32] (=|+=) packed A panel (6 per k) x packed B panel (32 per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector512_6x32(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 32;
        }
        if (add)
        {
            { float* cr = c + 0 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c00, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c10, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c20, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c30, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c40, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c50, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c51, cr + 16); }
        }
        else
        {
            { float* cr = c + 0 * ldc; Vector512.Store(c00, cr + 0); Vector512.Store(c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(c10, cr + 0); Vector512.Store(c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(c20, cr + 0); Vector512.Store(c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(c30, cr + 0); Vector512.Store(c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(c40, cr + 0); Vector512.Store(c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(c50, cr + 0); Vector512.Store(c51, cr + 16); }
        }
    }

    /// <summary>Vector512 micro-kernel: C[8 x 32] (=|+=) packed A panel (8 per k) x packed B panel (32 per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector512_8x32(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }
        if (add)
        {
            { float* cr = c + 0 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c00, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c10, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c20, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c30, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c40, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c50, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c60, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c70, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c71, cr + 16); }
        }
        else
        {
            { float* cr = c + 0 * ldc; Vector512.Store(c00, cr + 0); Vector512.Store(c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(c10, cr + 0); Vector512.Store(c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(c20, cr + 0); Vector512.Store(c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(c30, cr + 0); Vector512.Store(c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(c40, cr + 0); Vector512.Store(c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(c50, cr + 0); Vector512.Store(c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(c60, cr + 0); Vector512.Store(c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(c70, cr + 0); Vector512.Store(c71, cr + 16); }
        }
    }

    /// <summary>Vector512 micro-kernel: C[12 x 32] (=|+=) packed A panel (12 per k) x packed B panel (32 per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector512_12x32(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero;
        var c80 = Vector512<float>.Zero; var c81 = Vector512<float>.Zero;
        var c90 = Vector512<float>.Zero; var c91 = Vector512<float>.Zero;
        var c100 = Vector512<float>.Zero; var c101 = Vector512<float>.Zero;
        var c110 = Vector512<float>.Zero; var c111 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            var a8 = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(a8, b0, c80); c81 = Vector512.FusedMultiplyAdd(a8, b1, c81);
            var a9 = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(a9, b0, c90); c91 = Vector512.FusedMultiplyAdd(a9, b1, c91);
            var a10 = Vector512.Create(a[10]);
            c100 = Vector512.FusedMultiplyAdd(a10, b0, c100); c101 = Vector512.FusedMultiplyAdd(a10, b1, c101);
            var a11 = Vector512.Create(a[11]);
            c110 = Vector512.FusedMultiplyAdd(a11, b0, c110); c111 = Vector512.FusedMultiplyAdd(a11, b1, c111);
            a += 12;
            b += 32;
        }
        if (add)
        {
            { float* cr = c + 0 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c00, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c10, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c20, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c30, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c40, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c50, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c60, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c70, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c71, cr + 16); }
            { float* cr = c + 8 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c80, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c81, cr + 16); }
            { float* cr = c + 9 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c90, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c91, cr + 16); }
            { float* cr = c + 10 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c100, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c101, cr + 16); }
            { float* cr = c + 11 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c110, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c111, cr + 16); }
        }
        else
        {
            { float* cr = c + 0 * ldc; Vector512.Store(c00, cr + 0); Vector512.Store(c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(c10, cr + 0); Vector512.Store(c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(c20, cr + 0); Vector512.Store(c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(c30, cr + 0); Vector512.Store(c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(c40, cr + 0); Vector512.Store(c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(c50, cr + 0); Vector512.Store(c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(c60, cr + 0); Vector512.Store(c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(c70, cr + 0); Vector512.Store(c71, cr + 16); }
            { float* cr = c + 8 * ldc; Vector512.Store(c80, cr + 0); Vector512.Store(c81, cr + 16); }
            { float* cr = c + 9 * ldc; Vector512.Store(c90, cr + 0); Vector512.Store(c91, cr + 16); }
            { float* cr = c + 10 * ldc; Vector512.Store(c100, cr + 0); Vector512.Store(c101, cr + 16); }
            { float* cr = c + 11 * ldc; Vector512.Store(c110, cr + 0); Vector512.Store(c111, cr + 16); }
        }
    }

    /// <summary>Vector512 micro-kernel: C[14 x 32] (=|+=) packed A panel (14 per k) x packed B panel (32 per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector512_14x32(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero;
        var c80 = Vector512<float>.Zero; var c81 = Vector512<float>.Zero;
        var c90 = Vector512<float>.Zero; var c91 = Vector512<float>.Zero;
        var c100 = Vector512<float>.Zero; var c101 = Vector512<float>.Zero;
        var c110 = Vector512<float>.Zero; var c111 = Vector512<float>.Zero;
        var c120 = Vector512<float>.Zero; var c121 = Vector512<float>.Zero;
        var c130 = Vector512<float>.Zero; var c131 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            var a8 = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(a8, b0, c80); c81 = Vector512.FusedMultiplyAdd(a8, b1, c81);
            var a9 = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(a9, b0, c90); c91 = Vector512.FusedMultiplyAdd(a9, b1, c91);
            var a10 = Vector512.Create(a[10]);
            c100 = Vector512.FusedMultiplyAdd(a10, b0, c100); c101 = Vector512.FusedMultiplyAdd(a10, b1, c101);
            var a11 = Vector512.Create(a[11]);
            c110 = Vector512.FusedMultiplyAdd(a11, b0, c110); c111 = Vector512.FusedMultiplyAdd(a11, b1, c111);
            var a12 = Vector512.Create(a[12]);
            c120 = Vector512.FusedMultiplyAdd(a12, b0, c120); c121 = Vector512.FusedMultiplyAdd(a12, b1, c121);
            var a13 = Vector512.Create(a[13]);
            c130 = Vector512.FusedMultiplyAdd(a13, b0, c130); c131 = Vector512.FusedMultiplyAdd(a13, b1, c131);
            a += 14;
            b += 32;
        }
        if (add)
        {
            { float* cr = c + 0 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c00, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c10, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c20, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c30, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c40, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c50, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c60, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c70, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c71, cr + 16); }
            { float* cr = c + 8 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c80, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c81, cr + 16); }
            { float* cr = c + 9 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c90, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c91, cr + 16); }
            { float* cr = c + 10 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c100, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c101, cr + 16); }
            { float* cr = c + 11 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c110, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c111, cr + 16); }
            { float* cr = c + 12 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c120, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c121, cr + 16); }
            { float* cr = c + 13 * ldc; Vector512.Store(Vector512.Load(cr + 0) + c130, cr + 0); Vector512.Store(Vector512.Load(cr + 16) + c131, cr + 16); }
        }
        else
        {
            { float* cr = c + 0 * ldc; Vector512.Store(c00, cr + 0); Vector512.Store(c01, cr + 16); }
            { float* cr = c + 1 * ldc; Vector512.Store(c10, cr + 0); Vector512.Store(c11, cr + 16); }
            { float* cr = c + 2 * ldc; Vector512.Store(c20, cr + 0); Vector512.Store(c21, cr + 16); }
            { float* cr = c + 3 * ldc; Vector512.Store(c30, cr + 0); Vector512.Store(c31, cr + 16); }
            { float* cr = c + 4 * ldc; Vector512.Store(c40, cr + 0); Vector512.Store(c41, cr + 16); }
            { float* cr = c + 5 * ldc; Vector512.Store(c50, cr + 0); Vector512.Store(c51, cr + 16); }
            { float* cr = c + 6 * ldc; Vector512.Store(c60, cr + 0); Vector512.Store(c61, cr + 16); }
            { float* cr = c + 7 * ldc; Vector512.Store(c70, cr + 0); Vector512.Store(c71, cr + 16); }
            { float* cr = c + 8 * ldc; Vector512.Store(c80, cr + 0); Vector512.Store(c81, cr + 16); }
            { float* cr = c + 9 * ldc; Vector512.Store(c90, cr + 0); Vector512.Store(c91, cr + 16); }
            { float* cr = c + 10 * ldc; Vector512.Store(c100, cr + 0); Vector512.Store(c101, cr + 16); }
            { float* cr = c + 11 * ldc; Vector512.Store(c110, cr + 0); Vector512.Store(c111, cr + 16); }
            { float* cr = c + 12 * ldc; Vector512.Store(c120, cr + 0); Vector512.Store(c121, cr + 16); }
            { float* cr = c + 13 * ldc; Vector512.Store(c130, cr + 0); Vector512.Store(c131, cr + 16); }
        }
    }

    /// <summary>Vector256 micro-kernel: C[6 x 16] (=|+=) packed A panel (6 per k) x packed B panel (16 per k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector256_6x16(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero; var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero; var c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        if (add)
        {
            { float* cr = c + 0 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c00, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c01, cr + 8); }
            { float* cr = c + 1 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c10, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c11, cr + 8); }
            { float* cr = c + 2 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c20, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c21, cr + 8); }
            { float* cr = c + 3 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c30, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c31, cr + 8); }
            { float* cr = c + 4 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c40, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c41, cr + 8); }
            { float* cr = c + 5 * ldc; Vector256.Store(Vector256.Load(cr + 0) + c50, cr + 0); Vector256.Store(Vector256.Load(cr + 8) + c51, cr + 8); }
        }
        else
        {
            { float* cr = c + 0 * ldc; Vector256.Store(c00, cr + 0); Vector256.Store(c01, cr + 8); }
            { float* cr = c + 1 * ldc; Vector256.Store(c10, cr + 0); Vector256.Store(c11, cr + 8); }
            { float* cr = c + 2 * ldc; Vector256.Store(c20, cr + 0); Vector256.Store(c21, cr + 8); }
            { float* cr = c + 3 * ldc; Vector256.Store(c30, cr + 0); Vector256.Store(c31, cr + 8); }
            { float* cr = c + 4 * ldc; Vector256.Store(c40, cr + 0); Vector256.Store(c41, cr + 8); }
            { float* cr = c + 5 * ldc; Vector256.Store(c50, cr + 0); Vector256.Store(c51, cr + 8); }
        }
    }

    /// <summary>Scalar micro-kernel for machines without FMA vectors (and tests): same contract, any MR x NR.</summary>
    internal static void KernelScalar(int mr, int nr, int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        float* acc = stackalloc float[mr * nr];
        new Span<float>(acc, mr * nr).Clear();
        for (int p = 0; p < kc; p++, a += mr, b += nr)
            for (int r = 0; r < mr; r++)
            {
                float ar = a[r];
                float* accr = acc + r * nr;
                for (int j = 0; j < nr; j++) accr[j] += ar * b[j];
            }
        for (int r = 0; r < mr; r++)
        {
            float* cr = c + r * ldc, accr = acc + r * nr;
            if (add) for (int j = 0; j < nr; j++) cr[j] += accr[j];
            else for (int j = 0; j < nr; j++) cr[j] = accr[j];
        }
    }

    internal static void KernelScalar_4x8(int kc, float* a, float* b, float* c, nint ldc, bool add) => KernelScalar(4, 8, kc, a, b, c, ldc, add);
}
