using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

public class GemmTests
{
    // Odd sizes on purpose: edges of the 6x32 / 6x16 / 4x8 tiles, of the 4-row direct blocks and of the KC=256 depth.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (3, 7, 33), (7, 3, 1), (33, 65, 7), (65, 33, 100), (100, 257, 65), (257, 100, 33), (37, 41, 257),
        (1, 257, 65), (257, 1, 65), (65, 100, 1), (1, 1, 300), (6, 32, 3),
    ];

    private const string PackedSwapped = "PackedSwapped"; // packed route forced to compute C^T = op(B)^T op(A)^T

    // Enum names rather than the internal enums: xunit theory methods must be public.
    public static TheoryData<string, string> PathsAndRoutes()
    {
        var data = new TheoryData<string, string>();
        foreach (GemmKernelPath path in new[] { GemmKernelPath.Vector512, GemmKernelPath.Vector256, GemmKernelPath.Scalar })
        {
            if (!GemmKernelConfig.IsSupported(path)) continue;
            data.Add(path.ToString(), nameof(GemmRoute.Packed));
            data.Add(path.ToString(), PackedSwapped);
            if (path != GemmKernelPath.Scalar) data.Add(path.ToString(), nameof(GemmRoute.Direct));
        }
        data.Add(nameof(GemmKernelPath.Auto), nameof(GemmRoute.Auto));
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndRoutes))]
    public void Sgemm_MatchesFloat64Reference_AllTransposesAndShapes(string pathName, string routeName)
    {
        var path = Enum.Parse<GemmKernelPath>(pathName);
        bool swapped = routeName == PackedSwapped;
        var route = swapped ? GemmRoute.Packed : Enum.Parse<GemmRoute>(routeName);
        var swap = swapped ? GemmSwap.Always : GemmSwap.Auto;
        var rng = SeededRandom.Create(1234);
        foreach (var (m, n, k) in Shapes)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    if (route == GemmRoute.Direct && transB) continue; // the direct route reads B in place, untransposed
                    foreach (bool accumulate in new[] { false, true })
                        CheckAgainstReference(rng, path, route, swap, transA, transB, m, n, k, accumulate, maxThreads: 1);
                }
    }

    [Fact]
    public void Sgemm_DirectRouteWithTransposedB_Throws()
    {
        if (GemmKernelConfig.BestAvailable == GemmKernelPath.Scalar) return; // no direct route exists to refuse
        var a = new float[4]; var b = new float[4]; var c = new float[4];
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmWith(GemmKernelPath.Auto, GemmRoute.Direct, 1, false, true, 2, 2, 2, a, 2, b, 2, c, 2, false));
        Assert.Contains("direct route", e.Message);
    }

    [Fact]
    public void Sgemm_PublicEntry_MatchesLoopBaseline()
    {
        var rng = SeededRandom.Create(7);
        foreach (var (m, n, k) in new[] { (33, 65, 7), (100, 257, 65), (4, 300, 33) })
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    var a = Random(rng, m * k); var b = Random(rng, k * n);
                    var c0 = Random(rng, m * n);
                    var fast = (float[])c0.Clone(); var slow = (float[])c0.Clone();
                    int lda = transA ? m : k, ldb = transB ? k : n;
                    Gemm.Sgemm(transA, transB, m, n, k, a, lda, b, ldb, fast, n, accumulate: true);
                    Gemm.SgemmSimple(transA, transB, m, n, k, a, lda, b, ldb, slow, n, accumulate: true);
                    for (int i = 0; i < fast.Length; i++)
                        Assert.True(Math.Abs(fast[i] - slow[i]) <= 1e-4 * (1 + Math.Abs(slow[i])), $"({m},{n},{k}) tA={transA} tB={transB} at {i}: {fast[i]} vs {slow[i]}");
                }
    }

    public static TheoryData<string, int, int, int, bool, bool> ParallelCases() => new()
    {
        // Above the parallel threshold, splitting N (n >= m) and splitting M (m > n); odd sizes so that range
        // boundaries fall inside tiles and depth blocks are uneven.
        { nameof(GemmRoute.Packed), 37, 1001, 300, false, false },
        { nameof(GemmRoute.Packed), 1001, 37, 300, true, true },
        { nameof(GemmRoute.Packed), 257, 259, 65, false, true },
        { nameof(GemmRoute.Packed), 2, 3000, 1000, true, false },
        { nameof(GemmRoute.Direct), 3, 4001, 400, false, false },
        { nameof(GemmRoute.Direct), 131, 67, 513, true, false },
        { nameof(GemmRoute.Auto), 96, 1600, 40, false, false },
        { nameof(GemmRoute.Auto), 960, 8, 600, false, false }, // swapped (C^T) packed route
        { nameof(GemmRoute.Auto), 33, 10, 16001, false, true },
    };

    [Theory]
    [MemberData(nameof(ParallelCases))]
    public void Sgemm_OneAndTwoThreads_BitwiseEqual(string routeName, int m, int n, int k, bool transA, bool transB)
    {
        var route = Enum.Parse<GemmRoute>(routeName);
        Assert.True((long)m * n * k >= Gemm.ParallelMinMacs, "case must be large enough to be split");
        var rng = SeededRandom.Create(99);
        var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        foreach (bool accumulate in new[] { false, true })
        {
            var one = (float[])c0.Clone(); var two = (float[])c0.Clone(); var three = (float[])c0.Clone();
            Gemm.SgemmWith(GemmKernelPath.Auto, route, 1, transA, transB, m, n, k, a, lda, b, ldb, one, n, accumulate);
            Gemm.SgemmWith(GemmKernelPath.Auto, route, 2, transA, transB, m, n, k, a, lda, b, ldb, two, n, accumulate);
            Gemm.SgemmWith(GemmKernelPath.Auto, route, 3, transA, transB, m, n, k, a, lda, b, ldb, three, n, accumulate);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(one[i]), BitConverter.SingleToInt32Bits(two[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(one[i]), BitConverter.SingleToInt32Bits(three[i]));
            }
        }
    }

    [Fact]
    public void Sgemm_SwappedAndPlainPackedRoutes_BitwiseEqual()
    {
        // a*b == b*a in floating point and both routes accumulate each element over k in the same order.
        var rng = SeededRandom.Create(5);
        foreach (var (m, n, k) in new[] { (37, 8, 300), (9, 100, 65) })
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
                    int lda = transA ? m : k, ldb = transB ? k : n;
                    var plain = (float[])c0.Clone(); var swapped = (float[])c0.Clone();
                    Gemm.SgemmWith(GemmKernelPath.Auto, GemmRoute.Packed, GemmSwap.Never, 1, transA, transB, m, n, k, a, lda, b, ldb, plain, n, true);
                    Gemm.SgemmWith(GemmKernelPath.Auto, GemmRoute.Packed, GemmSwap.Always, 1, transA, transB, m, n, k, a, lda, b, ldb, swapped, n, true);
                    for (int i = 0; i < plain.Length; i++)
                        Assert.Equal(BitConverter.SingleToInt32Bits(plain[i]), BitConverter.SingleToInt32Bits(swapped[i]));
                }
    }

    [Fact]
    public void Sgemm_ZeroDepth_ClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, c, 3, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.Sgemm(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, c, 3, accumulate: false);
        Assert.Equal(new float[] { 0, 0, 3, 0, 0, 6 }, c); // the ldc padding column is not touched
    }

    [Fact]
    public void Sgemm_BadArguments_ThrowNamingTheProblem()
    {
        var a = new float[6]; var b = new float[6]; var c = new float[4];
        Assert.Contains("leading dimensions", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, a, 2, b, 2, c, 2, false)).Message);
        Assert.Contains("C is too short", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 3, 3, a, 3, new float[9], 3, c, 3, false)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, -1, 2, 3, a, 3, b, 2, c, 2, false)).Message);
    }

    [Fact]
    public void Sgemm_SteadyState_AllocatesNothing()
    {
        const int m = 70, n = 90, k = 300; // packed route with an uneven depth split
        var rng = SeededRandom.Create(3);
        var a = Random(rng, m * k); var b = Random(rng, k * n); var c = new float[m * n];
        foreach (GemmRoute route in new[] { GemmRoute.Packed, GemmRoute.Auto })
        {
            // The runtime itself may allocate once in a while (type loading, tiering): the best of several trials
            // must be zero, which fails whenever every call allocates.
            long best = long.MaxValue;
            for (int trial = 0; trial < 5; trial++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 3; i++)
                    Gemm.SgemmWith(GemmKernelPath.Auto, route, 1, false, false, m, n, k, a, k, b, n, c, n, false);
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Equal(0, best);
        }
    }

    /// <summary>
    /// Runs one case with padded leading dimensions (lda/ldb/ldc larger than needed) and checks every element
    /// against a float64 reference, and that the padding of C is left exactly as it was.
    /// </summary>
    private static void CheckAgainstReference(Random rng, GemmKernelPath path, GemmRoute route, GemmSwap swap, bool transA, bool transB,
        int m, int n, int k, bool accumulate, int maxThreads)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + 3, ldb = bCols + 2, ldc = n + 5;
        var a = Random(rng, (aRows - 1) * lda + aCols); // exactly as long as validation requires
        var b = Random(rng, (bRows - 1) * ldb + bCols);
        var c = Random(rng, m * ldc);
        var c0 = (float[])c.Clone();
        Gemm.SgemmWith(path, route, swap, maxThreads, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        string where = $"path={path} route={route} swap={swap} m={m} n={n} k={k} tA={transA} tB={transB} acc={accumulate}";
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c0[i * ldc + j] : 0, scale = accumulate ? Math.Abs(c0[i * ldc + j]) : 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * lda + i] : a[i * lda + p];
                    double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                    scale += Math.Abs(av * bv);
                }
                double err = Math.Abs(c[i * ldc + j] - sum);
                Assert.True(err <= 1e-5 * scale + 1e-30, $"{where} at ({i},{j}): got {c[i * ldc + j]}, want {sum}");
            }
            for (int j = n; j < ldc; j++)
                Assert.True(c[i * ldc + j] == c0[i * ldc + j], $"{where}: padding of C row {i} was written");
        }
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        SeededRandom.FillNormal(rng, x, 0f, 1f);
        return x;
    }
}
