using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels;

/// <summary>
/// Packed SGEMM on one thread, BLIS loop order: jc (NC columns) -> pc (KC depth; pack B block) -> ic (MC rows;
/// pack A block) -> jr (NR) -> ir (MR) -> micro-kernel. Packed panels are zero-padded to full MR / NR, so edge
/// tiles run the same kernel into a scratch tile whose valid part is then merged: nothing outside A, B or C is read.
/// The depth blocks depend only on k, so every C element gets the same arithmetic whatever the split of M or N.
/// </summary>
internal static unsafe class GemmPacked
{
    /// <summary>C (m x n, row stride ldc) = op(A) op(B) (+ C when accumulate). Requires m, n, k >= 1.</summary>
    public static void Run(in GemmKernelConfig cfg, bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        int mr = cfg.MR, nr = cfg.NR;
        // Balanced depth blocks (k = 257 gives 129 + 128, not 256 + 1); a function of k alone.
        int kBlocks = (k + cfg.KC - 1) / cfg.KC;
        int kcStep = (k + kBlocks - 1) / kBlocks;
        int mcMax = Math.Min(cfg.MC, RoundUp(m, mr));
        int ncMax = Math.Min(cfg.NC, RoundUp(n, nr));
        float* packA = GemmPackBuffers.A(mcMax * kcStep);
        float* packB = GemmPackBuffers.B(ncMax * kcStep);
        float* tile = stackalloc float[mr * nr];

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
                    Macro(cfg, mc, nc, kc, packA, packB, c + ic * ldc + jc, ldc, add, tile);
                }
            }
        }
    }

    private static void Macro(in GemmKernelConfig cfg, int mc, int nc, int kc, float* packA, float* packB,
        float* c, nint ldc, bool add, float* tile)
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
                float* cp = c + ir * ldc + jr;
                if (mrValid == mr && nrValid == nr)
                {
                    kernel(kc, ap, bp, cp, ldc, add);
                    continue;
                }
                kernel(kc, ap, bp, tile, nr, false);
                for (int r = 0; r < mrValid; r++)
                {
                    float* cr = cp + r * ldc, tr = tile + r * nr;
                    if (add) for (int j = 0; j < nrValid; j++) cr[j] += tr[j];
                    else for (int j = 0; j < nrValid; j++) cr[j] = tr[j];
                }
            }
        }
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
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (i0 + ip + r) * lda + p0;
                    float* d = panel + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = src[p];
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
                // op(B)(p, j) = b[j * ldb + p]: read each stored row contiguously, write it strided by NR.
                for (int j = 0; j < cols; j++)
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

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
