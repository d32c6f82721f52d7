using ILGPU;
using ILGPU.Runtime;

namespace AecOfa.Engine.Kernels.Gpu;

/// <summary>
/// The shape of one device GEMM, C (M x N) = op(A) (M x K) op(B) (K x N) (+ C when accumulating), row-major with
/// leading dimensions. Two extensions cover the convolution layers without copies:
/// a batch (grid z) of independent products at element offsets z * Stride{A,B,C}; and a K axis made of segments of
/// <see cref="KSegment"/> columns at Segment{A,B} apart, which sums a product over the batch (weight gradients,
/// dW = sum over n of dY_n X_n^T) in one launch.
/// </summary>
internal struct GemmShape
{
    public int M, N, K, Lda, Ldb, Ldc, TransA, TransB, Accumulate;
    public int StrideA, StrideB, StrideC;
    public int KSegment, SegmentA, SegmentB;

    /// <summary>A plain (optionally batched) product with a contiguous K axis.</summary>
    public static GemmShape Of(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc, bool accumulate) => new()
    {
        M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0,
        Accumulate = accumulate ? 1 : 0, KSegment = Math.Max(1, k),
    };
}

/// <summary>
/// Tiled SGEMM on the device: each group of 16 x 16 threads computes a 64 x 64 tile of C, staging 64 x 16 slices of
/// op(A) and op(B) in shared memory, and each thread keeps a 4 x 4 block of C in registers (rows ty + 16 i, columns
/// tx + 16 j: shared reads without bank conflicts and coalesced stores). Loads follow the memory order of A and B for
/// every transpose, so global reads stay coalesced. Each C element is summed over K in index order: deterministic.
/// </summary>
internal static class GemmGpu
{
    public const int Tile = 64, TileK = 16, Threads = 16, PerThread = Tile / Threads;

    /// <summary>Products with fewer multiply-adds than this (per batch item) run the simple kernel: a 64 x 64 tile would be mostly idle.</summary>
    public const long SimpleBelowMacs = 32 * 32 * 32;

    /// <summary>
    /// Runs C = op(A) op(B) (+ C) for <paramref name="batch"/> products (grid z): the tiled kernel, or the simple one for
    /// small products and on accelerators that prefer it (ILGPU's CPU accelerator, where the tiled kernel's group
    /// barriers are real thread synchronizations).
    /// </summary>
    public static void Run(GpuContext gpu, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s, int batch = 1)
    {
        if (gpu.PrefersSimpleKernels || (long)s.M * s.N * s.K < SimpleBelowMacs) RunSimple(gpu, a, b, c, s, batch);
        else RunTiled(gpu, a, b, c, s, batch);
    }

    /// <summary>The simple kernel: one thread per element of C, a dot product over K in index order.</summary>
    public static void RunSimple(GpuContext gpu, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s, int batch = 1)
    {
        if (s.M == 0 || s.N == 0 || batch == 0) return;
        gpu.Kernel("Gemm.Simple", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(SimpleKernel))(
            batch * s.M * s.N, a, b, c, s);
    }

    [GpuKernel]
    private static void SimpleKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int n = i % s.N, m = i / s.N % s.M, z = i / (s.N * s.M);
        int offA = z * s.StrideA, offB = z * s.StrideB;
        float sum = 0f;
        for (int k = 0; k < s.K; k++) sum += a[offA + IndexA(s, m, k)] * b[offB + IndexB(s, k, n)];
        StoreOne(c, s, z * s.StrideC + m * s.Ldc, n, sum);
    }

    /// <summary>The tiled kernel (see the type's remarks).</summary>
    public static void RunTiled(GpuContext gpu, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s, int batch = 1)
    {
        if (s.M == 0 || s.N == 0 || batch == 0) return;
        var kernel = gpu.Kernel("Gemm.Tiled", acc => acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(TiledKernel));
        var grid = new Index3D((s.N + Tile - 1) / Tile, (s.M + Tile - 1) / Tile, batch);
        kernel(new KernelConfig(grid, new Index3D(Threads, Threads, 1)), a, b, c, s);
    }

    /// <summary>Offset of op(A)[m, k] in A.</summary>
    private static int IndexA(in GemmShape s, int m, int k)
    {
        int seg = k / s.KSegment, kk = k - seg * s.KSegment;
        return seg * s.SegmentA + (s.TransA != 0 ? kk * s.Lda + m : m * s.Lda + kk);
    }

    /// <summary>Offset of op(B)[k, n] in B.</summary>
    private static int IndexB(in GemmShape s, int k, int n)
    {
        int seg = k / s.KSegment, kk = k - seg * s.KSegment;
        return seg * s.SegmentB + (s.TransB != 0 ? n * s.Ldb + kk : kk * s.Ldb + n);
    }

    [GpuKernel(explicitlyGrouped: true)]
    private static void TiledKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        var tileA = SharedMemory.Allocate<float>(TileK * Tile); // [k][m]
        var tileB = SharedMemory.Allocate<float>(TileK * Tile); // [k][n]
        int tx = Group.IdxX, ty = Group.IdxY, tid = ty * Threads + tx;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile, z = Grid.IdxZ;
        int offA = z * s.StrideA, offB = z * s.StrideB, offC = z * s.StrideC;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < s.K; k0 += TileK)
        {
            for (int r = 0; r < Tile * TileK / (Threads * Threads); r++)
            {
                int e = tid + r * Threads * Threads;
                // A's memory order: along k when A is (M x K) row-major, along m when transposed.
                int am = s.TransA != 0 ? e % Tile : e / TileK, ak = s.TransA != 0 ? e / Tile : e % TileK;
                int gm = row0 + am, gk = k0 + ak;
                tileA[ak * Tile + am] = gm < s.M && gk < s.K ? a[offA + IndexA(s, gm, gk)] : 0f;
                int bn = s.TransB != 0 ? e / TileK : e % Tile, bk = s.TransB != 0 ? e % TileK : e / Tile;
                int gn = col0 + bn, gkb = k0 + bk;
                tileB[bk * Tile + bn] = gn < s.N && gkb < s.K ? b[offB + IndexB(s, gkb, gn)] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < TileK; kk++)
            {
                float a0 = tileA[kk * Tile + ty], a1 = tileA[kk * Tile + ty + 16], a2 = tileA[kk * Tile + ty + 32], a3 = tileA[kk * Tile + ty + 48];
                float b0 = tileB[kk * Tile + tx], b1 = tileB[kk * Tile + tx + 16], b2 = tileB[kk * Tile + tx + 32], b3 = tileB[kk * Tile + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        Store(c, s, offC, row0 + ty, col0 + tx, c00, c01, c02, c03);
        Store(c, s, offC, row0 + ty + 16, col0 + tx, c10, c11, c12, c13);
        Store(c, s, offC, row0 + ty + 32, col0 + tx, c20, c21, c22, c23);
        Store(c, s, offC, row0 + ty + 48, col0 + tx, c30, c31, c32, c33);
    }

    /// <summary>Writes (or adds) one register row of the thread's block: columns col, col+16, col+32, col+48.</summary>
    private static void Store(ArrayView<float> c, in GemmShape s, int offC, int row, int col, float v0, float v1, float v2, float v3)
    {
        if (row >= s.M) return;
        int at = offC + row * s.Ldc;
        StoreOne(c, s, at, col, v0);
        StoreOne(c, s, at, col + 16, v1);
        StoreOne(c, s, at, col + 32, v2);
        StoreOne(c, s, at, col + 48, v3);
    }

    private static void StoreOne(ArrayView<float> c, in GemmShape s, int rowAt, int col, float v)
    {
        if (col >= s.N) return;
        c[rowAt + col] = s.Accumulate != 0 ? c[rowAt + col] + v : v;
    }
}
