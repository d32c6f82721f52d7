using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests.Kernels;

/// <summary>Vectorized, thread-split activation, batch-norm and layout kernels against their scalar references.</summary>
public class FastElementwiseKernelTests
{
    private static float[] Random(int n, int seed, float scale = 4f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((r.NextDouble() * 2 - 1) * scale);
        if (n > 2) { a[0] = -3f; a[1] = 3f; a[2] = 0f; } // the kinks
        return a;
    }

    // 300,000 elements crosses the parallel threshold (ParallelChunks.MinParallelElements; 8192-element chunks).
    public static TheoryData<int> Sizes() => new() { 1, 3, 7, 8, 33, 300_001 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Activations_AreBitwiseEqualToScalarReferences(int n)
    {
        var x = Random(n, 1);
        var gy = Random(n, 2, 1f);
        var prior = Random(n, 3, 1f);

        var y = new float[n];
        ActivationKernels.ReluForward(x, y);
        for (int i = 0; i < n; i++) Assert.Equal(ActivationKernels.ReluScalar(x[i]), y[i]);
        ActivationKernels.HardSwishForward(x, y);
        for (int i = 0; i < n; i++) Assert.Equal(ActivationKernels.HardSwishScalar(x[i]), y[i]);

        foreach (bool accumulate in new[] { false, true })
        {
            var gx = (float[])prior.Clone();
            ActivationKernels.ReluBackward(x, gy, gx, accumulate);
            for (int i = 0; i < n; i++)
                Assert.Equal(accumulate ? prior[i] + ActivationKernels.ReluGradScalar(x[i], gy[i]) : ActivationKernels.ReluGradScalar(x[i], gy[i]), gx[i]);
            gx = (float[])prior.Clone();
            ActivationKernels.HardSwishBackward(x, gy, gx, accumulate);
            for (int i = 0; i < n; i++)
                Assert.Equal(accumulate ? prior[i] + ActivationKernels.HardSwishGradScalar(x[i], gy[i]) : ActivationKernels.HardSwishGradScalar(x[i], gy[i]), gx[i]);
        }
    }

    [Fact]
    public void HardSwishGradient_MatchesFiniteDifferences_AwayFromKinks()
    {
        foreach (float v in new[] { -5f, -2.5f, -0.7f, 0.4f, 2.9f, 4f })
        {
            double h = 1e-3;
            double fd = (ActivationKernels.HardSwishScalar((float)(v + h)) - (double)ActivationKernels.HardSwishScalar((float)(v - h))) / (2 * h);
            Assert.Equal(fd, ActivationKernels.HardSwishGradScalar(v, 1f), 2e-3);
        }
    }

    public static TheoryData<int, int, int> BnShapes() => new()
    {
        { 1, 1, 1 }, { 3, 7, 1 }, { 3, 7, 33 }, { 2, 5, 17 }, { 7, 3, 400 }, { 32, 16, 104 }, { 33, 9, 1001 },
    };

    [Theory]
    [MemberData(nameof(BnShapes))]
    public void BatchNormKernels_MatchFloat64References(int batch, int channels, int hw)
    {
        int n = batch * channels * hw;
        var x = Random(n, 4);
        for (int i = 0; i < n; i++) x[i] += 10f; // an offset: the two-pass variance must not cancel
        var gy = Random(n, 5, 1f);
        double[] mean = new double[channels], m2 = new double[channels], meanRef = new double[channels], m2Ref = new double[channels];
        BatchNormKernels.ChannelMeanAndM2(x, batch, channels, hw, mean, m2);
        BatchNormKernels.ChannelMeanAndM2Simple(x, batch, channels, hw, meanRef, m2Ref);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(Math.Abs(mean[c] - meanRef[c]) <= 1e-12 * Math.Abs(meanRef[c]), $"mean {mean[c]} vs {meanRef[c]}");
            Assert.True(Math.Abs(m2[c] - m2Ref[c]) <= 1e-12 * Math.Max(1e-30, m2Ref[c]) + 1e-12, $"m2 {m2[c]} vs {m2Ref[c]}");
        }

        var center = mean.Select(v => (float)v).ToArray();
        var scale = Random(channels, 6, 2f);
        var shift = Random(channels, 7, 1f);
        var k = Random(channels, 8, 0.1f);
        var y = new float[n];
        var yRef = new float[n];
        BatchNormKernels.Normalize(x, batch, channels, hw, center, scale, shift, y);
        BatchNormKernels.NormalizeSimple(x, batch, channels, hw, center, scale, shift, yRef);
        for (int i = 0; i < n; i++) Assert.Equal(yRef[i], y[i], 1e-4 * Math.Max(1, Math.Abs(yRef[i])));

        double[] sg = new double[channels], sgc = new double[channels], sgRef = new double[channels], sgcRef = new double[channels];
        BatchNormKernels.GradientSums(x, gy, batch, channels, hw, center, sg, sgc);
        BatchNormKernels.GradientSumsSimple(x, gy, batch, channels, hw, center, sgRef, sgcRef);
        double tol = 1e-5 * Math.Sqrt(batch * hw);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(sgRef[c], sg[c], tol);
            Assert.Equal(sgcRef[c], sgc[c], tol);
        }

        var prior = Random(n, 9, 1f);
        var gx = (float[])prior.Clone();
        var gxRef = (float[])prior.Clone();
        BatchNormKernels.InputGradientAdd(x, gy, batch, channels, hw, center, scale, k, shift, gx);
        BatchNormKernels.InputGradientAddSimple(x, gy, batch, channels, hw, center, scale, k, shift, gxRef);
        for (int i = 0; i < n; i++) Assert.Equal(gxRef[i], gx[i], 1e-4 * Math.Max(1, Math.Abs(gxRef[i])));
        BatchNormKernels.InputGradient(x, gy, batch, channels, hw, center, scale, k, shift, gx, accumulate: false);
        for (int i = 0; i < n; i++) Assert.Equal(gxRef[i] - prior[i], gx[i], 1e-4 * Math.Max(1, Math.Abs(gxRef[i])));
    }

    /// <summary>
    /// Planes of at most 8 positions take the four-channels-per-vector statistics (MeanM2FourTinyPlanes); with 5
    /// channels, channel 4 takes the per-plane path. Channel 4 holds channel 0's data, so their mean and M2 must be
    /// the same bits; channels 1-3 are checked against the float64 reference.
    /// </summary>
    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 7)]
    [InlineData(4, 8)]
    [InlineData(3, 9)] // above the vector path: per-plane for every channel
    public void BatchNormStatistics_OnTinyPlanes_AreTheSameBitsOnBothPaths(int batch, int hw)
    {
        const int channels = 5;
        var x = Random(batch * channels * hw, 31);
        for (int i = 0; i < x.Length; i++) x[i] += 3f;
        for (int n = 0; n < batch; n++)
            Array.Copy(x, n * channels * hw, x, (n * channels + 4) * hw, hw); // channel 4 = channel 0
        double[] mean = new double[channels], m2 = new double[channels], meanRef = new double[channels], m2Ref = new double[channels];
        BatchNormKernels.ChannelMeanAndM2(x, batch, channels, hw, mean, m2);
        Assert.Equal(mean[0], mean[4]);
        Assert.Equal(m2[0], m2[4]);
        BatchNormKernels.ChannelMeanAndM2Simple(x, batch, channels, hw, meanRef, m2Ref);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(Math.Abs(mean[c] - meanRef[c]) <= 1e-12 * Math.Abs(meanRef[c]), $"mean[{c}] {mean[c]} vs {meanRef[c]}");
            Assert.True(Math.Abs(m2[c] - m2Ref[c]) <= 1e-11 * Math.Max(1, m2Ref[c]), $"m2[{c}] {m2[c]} vs {m2Ref[c]}");
        }
    }

    /// <summary>
    /// Planes under 8 positions take the eight-channels-per-vector gradient sums (GradientSumsEightTinyPlanes); with 9
    /// channels, channel 8 takes the per-plane path. It holds channel 0's data and coefficients, so its sums must be the
    /// same bits as channel 0's, for every fused activation; all channels are checked against the float64 reference.
    /// </summary>
    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 7)]
    [InlineData(2, 8)] // the per-plane vector path for every channel
    public void BatchNormGradientSums_OnTinyPlanes_AreTheSameBitsOnBothPaths(int batch, int hw)
    {
        const int channels = 9;
        int n = batch * channels * hw;
        var x = Random(n, 41);
        var gy = Random(n, 42, 1f);
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(x, b * channels * hw, x, (b * channels + 8) * hw, hw);
            Array.Copy(gy, b * channels * hw, gy, (b * channels + 8) * hw, hw);
        }
        float[] Coefficients(int seed, float scale) { var a = Random(channels, seed, scale); a[8] = a[0]; return a; }
        var center = Coefficients(43, 1f);
        var zs = Coefficients(44, 2f);
        var zb = Coefficients(45, 1f);
        foreach (var act in new[] { FusedActivation.None, FusedActivation.ReLU, FusedActivation.HardSwish })
        {
            double[] s0 = new double[channels], s1 = new double[channels];
            BatchNormKernels.GradientSums(x, gy, batch, channels, hw, center, s0, s1, act, zs, zb);
            Assert.Equal(s0[0], s0[8]);
            Assert.Equal(s1[0], s1[8]);
            if (act != FusedActivation.None) continue;
            double[] r0 = new double[channels], r1 = new double[channels];
            BatchNormKernels.GradientSumsSimple(x, gy, batch, channels, hw, center, r0, r1);
            for (int c = 0; c < channels; c++)
            {
                Assert.Equal(r0[c], s0[c], 1e-5 * Math.Sqrt(batch * hw));
                Assert.Equal(r1[c], s1[c], 1e-5 * Math.Sqrt(batch * hw));
            }
        }
    }

    /// <summary>
    /// Planes under 16 positions take the clip-wide pass (BatchNormSmallPlanes.cs): bitwise the per-element formula of
    /// the per-plane pass, for every fused activation, both gradient modes, odd channel counts, and a batch large enough
    /// for the worker pool (32 x 240 x 8 = 61,440 is under the threshold; 300 x 240 x 8 crosses it).
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 2)]
    [InlineData(2, 33, 7)]
    [InlineData(3, 9, 8)]
    [InlineData(1, 3, 15)]
    [InlineData(3, 5, 16)] // the per-plane pass, same formula
    [InlineData(300, 240, 8)]
    public void BatchNormElementwisePasses_OnSmallPlanes_EqualThePerElementFormulaBitwise(int batch, int channels, int hw)
    {
        int n = batch * channels * hw;
        var x = Random(n, 21);
        var gy = Random(n, 22, 1f);
        var center = Random(channels, 23, 1f);
        var scale = Random(channels, 24, 2f);
        var shift = Random(channels, 25, 1f);
        var k = Random(channels, 26, 0.1f);
        var zs = Random(channels, 27, 2f);
        var zb = Random(channels, 28, 1f);
        var prior = Random(n, 29, 1f);
        foreach (var act in new[] { FusedActivation.None, FusedActivation.ReLU, FusedActivation.HardSwish })
        {
            var y = new float[n];
            BatchNormKernels.Normalize(x, batch, channels, hw, center, scale, shift, y, act);
            foreach (bool accumulate in new[] { true, false })
            {
                var gx = (float[])prior.Clone();
                BatchNormKernels.InputGradient(x, gy, batch, channels, hw, center, scale, k, shift, gx, accumulate, act, zs, zb);
                for (int i = 0; i < n; i++)
                {
                    int c = i / hw % channels;
                    float xc = x[i] - center[c];
                    Assert.Equal(FusedActivationMath.Forward(xc * scale[c] + shift[c], act), y[i]);
                    float g = act == FusedActivation.None ? gy[i] : FusedActivationMath.Gradient(xc * zs[c] + zb[c], gy[i], act);
                    float v = scale[c] * g + k[c] * xc + shift[c];
                    Assert.Equal(accumulate ? prior[i] + v : v, gx[i]);
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 5)]
    [InlineData(7, 33, 1)]
    [InlineData(2, 3, 104)]
    public void ChannelMajorPack_IsTheTransposeOfBatchAndChannel(int batch, int channels, int hw)
    {
        int n = batch * channels * hw;
        var x = Random(n, 10);
        var packed = new float[n];
        var expected = new float[n];
        ChannelMajorPack.Pack(x, batch, channels, hw, packed);
        ChannelMajorPack.PackSimple(x, batch, channels, hw, expected);
        Assert.Equal(expected, packed);

        var back = new float[n];
        ChannelMajorPack.Unpack(packed, batch, channels, hw, back, accumulate: false);
        Assert.Equal(x, back);
        ChannelMajorPack.Unpack(packed, batch, channels, hw, back, accumulate: true);
        for (int i = 0; i < n; i++) Assert.Equal(x[i] + x[i], back[i]);
        Assert.Throws<ArgumentException>(() => ChannelMajorPack.Pack(x, batch, channels, hw + 1, packed));
    }
}

public class RowDotProductsTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 7, 5, 33)]    // remainder rows and columns, 8-lane tail
    [InlineData(2, 8, 12, 16)]   // only full 4x4 blocks, no tail
    [InlineData(5, 9, 4, 1)]     // hw 1: tails only
    [InlineData(2, 33, 17, 400)] // enough work for the worker pool
    public void Accumulate_MatchesFloat64Reference(int batch, int cout, int cin, int hw)
    {
        var r = new Random(batch * 1000 + cout * 10 + cin);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var gy = Rand(batch * cout * hw);
        var x = Rand(batch * cin * hw);
        var prior = Rand(cout * cin);
        var gw = (float[])prior.Clone();
        var reference = (float[])prior.Clone();
        RowDotProducts.Accumulate(gy, x, batch, cout, cin, hw, gw);
        RowDotProducts.AccumulateSimple(gy, x, batch, cout, cin, hw, reference);
        double tol = 1e-5 * Math.Sqrt(batch * hw);
        for (int i = 0; i < gw.Length; i++) Assert.Equal(reference[i], gw[i], tol);
        Assert.Throws<ArgumentException>(() => RowDotProducts.Accumulate(gy, x, batch, cout, cin, hw + 1, gw));

        // Fed one item at a time: the same bits as the whole batch at once.
        var byItem = (float[])prior.Clone();
        using (var sums = new RowDotProducts.ItemAccumulator(cout, cin, hw))
        {
            for (int n = 0; n < batch; n++) sums.Add(gy.AsSpan(n * cout * hw, cout * hw), x.AsSpan(n * cin * hw, cin * hw));
            Assert.Throws<ArgumentException>(() => sums.Add(gy.AsSpan(0, cout * hw - 1), x));
            sums.AddInto(byItem);
        }
        Assert.Equal(gw, byItem);
    }
}

public class PlaneKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(7, 33)]
    [InlineData(33, 65)]
    [InlineData(40, 7001)] // parallel
    public void MeansAndScaleBackward_MatchReferences(int planes, int hw)
    {
        var r = new Random(planes + hw);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var x = Rand(planes * hw);
        var s = Rand(planes);
        var gy = Rand(planes * hw);
        var means = new float[planes];
        var meansRef = new float[planes];
        PlaneKernels.Means(x, planes, hw, means);
        PlaneKernels.MeansSimple(x, planes, hw, meansRef);
        for (int p = 0; p < planes; p++) Assert.Equal(meansRef[p], means[p], 1e-5);

        foreach (bool accumulate in new[] { false, true })
        {
            var prior = Rand(planes * hw);
            var priorS = Rand(planes);
            float[] gx = (float[])prior.Clone(), gxRef = (float[])prior.Clone(), gs = (float[])priorS.Clone(), gsRef = (float[])priorS.Clone();
            PlaneKernels.ScaleBackward(x, s, gy, planes, hw, gx, accumulate, gs);
            PlaneKernels.ScaleBackwardSimple(x, s, gy, planes, hw, gxRef, accumulate, gsRef);
            Assert.Equal(gxRef, gx);
            for (int p = 0; p < planes; p++) Assert.Equal(gsRef[p], gs[p], 1e-5 * Math.Sqrt(hw));
        }
        // Either gradient may be absent.
        var onlyS = new float[planes];
        PlaneKernels.ScaleBackward(x, s, gy, planes, hw, default, false, onlyS);
        var onlyX = new float[planes * hw];
        PlaneKernels.ScaleBackward(x, s, gy, planes, hw, onlyX, false, default);
        Assert.Equal(gy[0] * s[0], onlyX[0]);
    }
}
