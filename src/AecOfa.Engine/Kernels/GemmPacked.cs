using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Packed SGEMM on one thread, BLIS loop order: jc (NC columns) -> pc (KC depth; pack B block) -> ic (MC rows;
/// pack A block) -> jr (NR) -> ir (MR) -> micro-kernel. Packed panels are zero-padded to full MR / NR, so edge
/// tiles run the same kernel into a scratch tile whose valid part is then merged: nothing outside A, B or C is read.
/// The depth blocks depend only on k, so every C element gets the same arithmetic whatever the split of M or N.
/// Swapped mode computes C^T = op(B)^T op(A)^T instead (tiles stored transposed into C), for a short-and-wide
/// C whose few columns would leave most of an NR-wide tile empty (e.g. n = 8 against NR = 32). a*b = b*a, so the
/// swap changes no bit of the result.
/// </summary>
internal static unsafe class GemmPacked
{
    /// <summary>C (m x n, row stride ldc) = op(A) op(B) (+ C when accumulate). Requires m, n, k >= 1.</summary>
    public static void Run(in GemmKernelConfig cfg, bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, bool swap)
    {
        if (swap)
        {
            // C^T (n x m) = op(B)^T op(A)^T: op(B)^T is "op" of the stored B with the flag flipped, likewise A.
            (transA, transB) = (!transB, !transA);
            float* t = a; a = b; b = t;
            (lda, ldb) = (ldb, lda);
            (m, n) = (n, m);
        }
        int mr = cfg.MR, nr = cfg.NR;
        // Balanced depth blocks (k = 257 gives 129 + 128, not 256 + 1); a function of k alone.
        int kBlocks = (k + cfg.KC - 1) / cfg.KC;
        int kcStep = (k + kBlocks - 1) / kBlocks;
        int mcMax = Math.Min(cfg.MC, RoundUp(m, mr));
        int ncMax = Math.Min(cfg.NC, RoundUp(n, nr));
        float* packA = GemmPackBuffers.A(mcMax * kcStep);
        float* packB = GemmPackBuffers.B(ncMax * kcStep);
        float* tile = stackalloc float[mr * nr + 64]; // + an 8 x 8 scratch block for the swapped merge

        for (int jc = 0; jc < n; jc += cfg.NC)
        {
            int nc = Math.Min(cfg.NC, n - jc);
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                PackB(transB, b, ldb, pc, kc, jc, nc, packB, nr);
                bool add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += cfg.MC)
                {
                    int mc = Math.Min(cfg.MC, m - ic);
                    PackA(transA, a, lda, ic, mc, pc, kc, packA, mr);
                    float* cBlock = swap ? c + jc * ldc + ic : c + ic * ldc + jc;
                    Macro(cfg, mc, nc, kc, packA, packB, cBlock, ldc, add, swap, tile);
                }
            }
        }
    }

    private static void Macro(in GemmKernelConfig cfg, int mc, int nc, int kc, float* packA, float* packB,
        float* c, nint ldc, bool add, bool swap, float* tile)
    {
        int mr = cfg.MR, nr = cfg.NR;
        var kernel = cfg.Kernel;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrValid = Math.Min(nr, nc - jr);
            float* bp = packB + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mrValid = Math.Min(mr, mc - ir);
                float* ap = packA + (nint)ir * kc;
                if (swap)
                {
                    // Tile element (r, j) of C^T is C (jr + j, ir + r).
                    float* ct = c + jr * ldc + ir;
                    kernel(kc, ap, bp, tile, nr, false);
                    if (mrValid == 8 && Avx.IsSupported)
                    {
                        // 8 x 8 blocks of the tile transposed in registers, then one 8-wide merge per C row.
                        float* block = tile + mr * nr; // scratch after the tile
                        for (int jb = 0; jb < nrValid; jb += 8)
                        {
                            Transpose8x8(tile + jb, nr, block, 8);
                            int rowsHere = Math.Min(8, nrValid - jb);
                            for (int j = 0; j < rowsHere; j++) MergeRow(ct + (jb + j) * ldc, block + j * 8, 8, add);
                        }
                        continue;
                    }
                    for (int j = 0; j < nrValid; j++)
                    {
                        float* cr = ct + j * ldc;
                        if (add) for (int r = 0; r < mrValid; r++) cr[r] += tile[r * nr + j];
                        else for (int r = 0; r < mrValid; r++) cr[r] = tile[r * nr + j];
                    }
                    continue;
                }
                float* cp = c + ir * ldc + jr;
                if (mrValid == mr && nrValid == nr)
                {
                    kernel(kc, ap, bp, cp, ldc, add);
                    continue;
                }
                kernel(kc, ap, bp, tile, nr, false);
                for (int r = 0; r < mrValid; r++) MergeRow(cp + r * ldc, tile + r * nr, nrValid, add);
            }
        }
    }

    /// <summary>dst[j] = (add ? dst[j] : 0) + src[j] for j below count: the same one add per element as the kernels' store.</summary>
    private static void MergeRow(float* dst, float* src, int count, bool add)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            if (add)
            {
                for (; j + 16 <= count; j += 16)
                {
                    Vector256.Store(Vector256.Load(dst + j) + Vector256.Load(src + j), dst + j);
                    Vector256.Store(Vector256.Load(dst + j + 8) + Vector256.Load(src + j + 8), dst + j + 8);
                }
                for (; j + 8 <= count; j += 8) Vector256.Store(Vector256.Load(dst + j) + Vector256.Load(src + j), dst + j);
            }
            else
            {
                for (; j + 8 <= count; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
            }
        }
        if (add) for (; j < count; j++) dst[j] += src[j];
        else for (; j < count; j++) dst[j] = src[j];
    }

    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] as MR-row micro-panels: panel-major, then k, then the MR rows.</summary>
    internal static void PackA(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst, int mr)
    {
        for (int ip = 0; ip < mc; ip += mr)
        {
            int rows = Math.Min(mr, mc - ip);
            float* panel = dst + (nint)ip * kc;
            if (transA)
            {
                // op(A)(i, p) = a[p * lda + i]: the MR values of one k are contiguous.
                float* src = a + p0 * lda + i0 + ip;
                if (rows == 8 && mr == 8 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += 8) Vector256.Store(Vector256.Load(src), panel);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda, panel += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) panel[r] = src[r];
                    for (; r < mr; r++) panel[r] = 0f;
                }
            }
            else
            {
                // op(A)(i, p) = a[i * lda + p]: read each row contiguously, write it strided by MR.
                int pDone = 0;
                if (rows == 8 && mr == 8 && Avx.IsSupported)
                {
                    float* src = a + (i0 + ip) * lda + p0;
                    for (; pDone + 8 <= kc; pDone += 8) Transpose8x8(src + pDone, lda, panel + pDone * 8, 8);
                }
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (i0 + ip + r) * lda + p0;
                    float* d = panel + r;
                    for (int p = pDone; p < kc; p++) d[p * mr] = src[p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = 0f;
            }
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] as NR-column micro-panels: panel-major, then k, then the NR columns.</summary>
    internal static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst, int nr)
    {
        for (int jp = 0; jp < nc; jp += nr)
        {
            int cols = Math.Min(nr, nc - jp);
            float* panel = dst + (nint)jp * kc;
            if (!transB)
            {
                // op(B)(p, j) = b[p * ldb + j]: NR contiguous values per k.
                float* src = b + p0 * ldb + j0 + jp;
                if (cols == nr && nr % 16 == 0 && Vector512.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                        for (int j = 0; j < nr; j += 16) Vector512.Store(Vector512.Load(src + j), panel + j);
                }
                else if (cols == nr && nr % 8 == 0 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                        for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), panel + j);
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                    {
                        int j = 0;
                        for (; j < cols; j++) panel[j] = src[j];
                        for (; j < nr; j++) panel[j] = 0f;
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j * ldb + p]: read each stored row contiguously, write it strided by NR;
                // groups of 8 full columns go through 8 x 8 register transposes.
                int jDone = 0;
                if (Avx.IsSupported)
                {
                    for (; jDone + 8 <= cols; jDone += 8)
                    {
                        float* src = b + (j0 + jp + jDone) * ldb + p0;
                        int p = 0;
                        for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, ldb, panel + p * nr + jDone, nr);
                        for (int j = 0; j < 8; j++)
                            for (int q = p; q < kc; q++) panel[q * nr + jDone + j] = src[j * ldb + q];
                    }
                }
                for (int j = jDone; j < cols; j++)
                {
                    float* src = b + (j0 + jp + j) * ldb + p0;
                    float* d = panel + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = src[p];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = 0f;
            }
        }
    }

    /// <summary>dst[c * dstStride + r] = src[r * srcStride + c] for r, c in [0, 8) (the shared AVX register transpose).</summary>
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
        => BlockTranspose.Transpose8x8(src, srcStride, dst, dstStride, add: false);

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
