using AecOfa.Engine.Kernels.Gpu;
using AecOfa.Engine.Tests.Ops;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>The device GEMMs (tiled and simple) against a float64 reference on odd shapes, every transpose, batched and K-segmented.</summary>
[Collection(GpuCollection.Name)]
public class GemmGpuTests
{
    // The tiled kernel's 16 x 16 groups need an accelerator with 256 threads per group (the shared test device has 16).
    private static readonly Lazy<ComputeDevice> s_wide = new(() => ComputeDevice.IlgpuCpu(groupSize: 256));

    [Theory]
    [InlineData(false, false, 5, 7, 3)]
    [InlineData(true, false, 3, 5, 17)]
    [InlineData(false, true, 7, 3, 5)]
    [InlineData(true, true, 65, 1, 19)]
    [InlineData(false, false, 1, 67, 33)]
    public void Tiled_MatchesReference_ForEveryTranspose(bool transA, bool transB, int m, int n, int k)
    {
        var a = GpuTestDevice.Random(1, m * k);
        var b = GpuTestDevice.Random(2, k * n);
        var c0 = GpuTestDevice.Random(3, m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            var expected = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = accumulate ? c0[i * n + j] : 0;
                    for (int p = 0; p < k; p++)
                        s += (double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                    expected[i * n + j] = s;
                }
            var dev = s_wide.Value;
            var ta = Tensor.FromArray(a, a.Length).ToDevice(dev);
            var tb = Tensor.FromArray(b, b.Length).ToDevice(dev);
            var tc = Tensor.FromArray((float[])c0.Clone(), c0.Length).ToDevice(dev);
            var shape = GemmShape.Of(transA, transB, m, n, k, transA ? m : k, transB ? k : n, n, accumulate);
            var c1 = tc.Detach();
            GemmGpu.RunTiled(dev.Accelerated, ta.View, tb.View, tc.View, shape);
            OpCheck.AssertClose($"tiled gemm {transA}/{transB} accumulate={accumulate}", GpuTestDevice.Doubles(tc.ToArray()), expected, 1e-5);
            GemmGpu.RunSimple(dev.Accelerated, ta.View, tb.View, c1.View, shape);
            OpCheck.AssertClose($"simple gemm {transA}/{transB} accumulate={accumulate}", GpuTestDevice.Doubles(c1.ToArray()), expected, 1e-5);
        }
    }

    [Fact]
    public void BatchedAndSegmented_MatchPerClipSums()
    {
        // Y_n (3 x 5) = W (3 x 2) X_n (2 x 5) for n < 3, and dW (3 x 2) = sum_n Y_n X_n^T as one K-segmented product.
        int batch = 3, m = 3, k = 2, hw = 5;
        var w = GpuTestDevice.Random(4, m * k);
        var x = GpuTestDevice.Random(5, batch * k * hw);
        var dev = s_wide.Value;
        var tw = Tensor.FromArray(w, w.Length).ToDevice(dev);
        var tx = Tensor.FromArray(x, x.Length).ToDevice(dev);
        var ty = Tensor.Zeros(dev, batch * m * hw);
        var s = GemmShape.Of(false, false, m, hw, k, k, hw, hw, false);
        s.StrideB = k * hw;
        s.StrideC = m * hw;
        GemmGpu.RunTiled(dev.Accelerated, tw.View, tx.View, ty.View, s, batch);
        var y = new double[batch * m * hw];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < hw; j++)
                {
                    double v = 0;
                    for (int p = 0; p < k; p++) v += (double)w[i * k + p] * x[n * k * hw + p * hw + j];
                    y[n * m * hw + i * hw + j] = v;
                }
        OpCheck.AssertClose("batched", GpuTestDevice.Doubles(ty.ToArray()), y, 1e-5);

        var tdw = Tensor.Zeros(dev, m * k);
        var g = GemmShape.Of(false, true, m, k, hw, hw, hw, k, false);
        g.K = batch * hw;
        g.KSegment = hw;
        g.SegmentA = m * hw;
        g.SegmentB = k * hw;
        GemmGpu.RunTiled(dev.Accelerated, ty.View, tx.View, tdw.View, g);
        var dw = new double[m * k];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++)
                    for (int j = 0; j < hw; j++) dw[i * k + p] += y[n * m * hw + i * hw + j] * x[n * k * hw + p * hw + j];
        OpCheck.AssertClose("segmented", GpuTestDevice.Doubles(tdw.ToArray()), dw, 1e-5);
    }
}
