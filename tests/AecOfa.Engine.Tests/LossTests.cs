using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests;

public class LossTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 1, 7 }, { 1, 33 }, { 3, 1 }, { 3, 7 }, { 3, 33 } };

    private static Tensor Logits(Random rng, int n, int k, float std = 2f)
    {
        var x = Tensor.Randn(rng, std, n, k);
        x.RequiresGrad = true;
        return x;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Bce_MatchesReference_AndReferenceMatchesFiniteDifferences(int n, int k)
    {
        var rng = SeededRandom.Create(100 + n * 41 + k);
        var x = Logits(rng, n, k);
        var t = Tensor.Uniform(rng, 0f, 1f, n, k); // soft targets
        for (int i = 0; i < t.Numel; i += 3) t.Data[i] = i % 2; // and some hard ones
        var xd = LossReference.ToDouble(x.Data);
        var td = LossReference.ToDouble(t.Data);

        var refGrad = LossReference.BceGrad(xd, td);
        Assert.True(LossReference.RelativeError(refGrad, LossReference.FiniteDifferences(v => LossReference.Bce(v, td), xd)) < 1e-6);

        var loss = TensorOps.BinaryCrossEntropyWithLogits(x, t);
        double expected = LossReference.Bce(xd, td);
        Assert.True(Math.Abs(loss.Item() - expected) / Math.Abs(expected) < 1e-4, $"{loss.Item()} vs {expected}");
        loss.Backward();
        Assert.True(LossReference.RelativeError(LossReference.ToDouble(x.Grad!.Data), refGrad) < 1e-3);
        Assert.Null(t.Grad);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void SoftmaxCrossEntropy_MatchesReference_AndReferenceMatchesFiniteDifferences(int n, int k)
    {
        var rng = SeededRandom.Create(200 + n * 41 + k);
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(k)).ToArray();
        foreach (float eps in new[] { 0f, 0.1f })
        {
            var x = Logits(rng, n, k);
            var xd = LossReference.ToDouble(x.Data);
            var refGrad = LossReference.SoftmaxCeGrad(xd, n, k, labels, eps);
            var fd = LossReference.FiniteDifferences(v => LossReference.SoftmaxCe(v, n, k, labels, eps), xd);
            Assert.True(LossReference.RelativeError(refGrad, fd) < 1e-6);

            var loss = TensorOps.SoftmaxCrossEntropy(x, labels, eps);
            double expected = LossReference.SoftmaxCe(xd, n, k, labels, eps);
            Assert.True(Math.Abs(loss.Item() - expected) <= 1e-4 * Math.Max(Math.Abs(expected), 1e-3), $"{loss.Item()} vs {expected}");
            loss.Backward();
            Assert.True(LossReference.RelativeError(LossReference.ToDouble(x.Grad!.Data), refGrad) < 1e-3);
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void KlDistillation_MatchesReference_AndReferenceMatchesFiniteDifferences(int n, int k)
    {
        var rng = SeededRandom.Create(300 + n * 41 + k);
        foreach (float temp in new[] { 1f, 4f })
        {
            var s = Logits(rng, n, k);
            var teacher = Logits(rng, n, k); // requires grad, yet must receive none
            var sd = LossReference.ToDouble(s.Data);
            var td = LossReference.ToDouble(teacher.Data);
            var refGrad = LossReference.KlGrad(sd, td, n, k, temp);
            var fd = LossReference.FiniteDifferences(v => LossReference.Kl(v, td, n, k, temp), sd);
            Assert.True(LossReference.RelativeError(refGrad, fd, floor: 1e-3) < 1e-5);

            var loss = TensorOps.KlDistillation(s, teacher, temp);
            double expected = LossReference.Kl(sd, td, n, k, temp);
            Assert.True(Math.Abs(loss.Item() - expected) <= 1e-4 * Math.Max(Math.Abs(expected), 1e-3), $"{loss.Item()} vs {expected}");
            loss.Backward();
            Assert.True(LossReference.RelativeError(LossReference.ToDouble(s.Grad!.Data), refGrad, floor: 1e-3) < 1e-3);
            Assert.Null(teacher.Grad);
        }
    }

    [Fact]
    public void KlDistillation_OfIdenticalLogits_IsZeroWithZeroGradient()
    {
        var x = Logits(SeededRandom.Create(5), 3, 7);
        var loss = TensorOps.KlDistillation(x, x.Detach(), 2f);
        Assert.True(Math.Abs(loss.Item()) < 1e-6);
        loss.Backward();
        Assert.All(x.Grad!.Data, g => Assert.True(Math.Abs(g) < 1e-7));
    }

    [Fact]
    public void DistillationBce_IsBceAgainstTeacherProbabilities_AndLeavesTeacherConstant()
    {
        var rng = SeededRandom.Create(9);
        var s1 = Logits(rng, 3, 7);
        var s2 = s1.Detach();
        s2.RequiresGrad = true;
        var teacher = Tensor.Uniform(rng, 0f, 1f, 3, 7);
        teacher.RequiresGrad = true;
        var a = TensorOps.DistillationBce(s1, teacher);
        var b = TensorOps.BinaryCrossEntropyWithLogits(s2, teacher.Detach());
        Assert.Equal(b.Item(), a.Item());
        a.Backward();
        b.Backward();
        Assert.Equal(s2.Grad!.Data, s1.Grad!.Data);
        Assert.Null(teacher.Grad);
    }

    [Fact]
    public void ExtremeLogits_GiveFiniteExactLossesAndGradients()
    {
        // Row 0 confidently wrong, row 1 confidently right; +-100 overflows a naive exp(-x) in float32.
        var x = Tensor.FromArray(new[] { -100f, 100f, 100f, 100f, -100f, -100f }, 2, 3);
        x.RequiresGrad = true;
        var t = Tensor.FromArray(new[] { 1f, 0f, 0.5f, 1f, 0f, 0f }, 2, 3);
        var bce = TensorOps.BinaryCrossEntropyWithLogits(x, t);
        // Entries: 100, 100, 50, ~0, ~0, ~0 (log(1 + e^-100) ~ 3.7e-44).
        Assert.Equal(250.0 / 6, bce.Item(), 1e-4);
        bce.Backward();
        double[] expectedBce = { -1.0 / 6, 1.0 / 6, 0.5 / 6, 0, 0, 0 };
        for (int i = 0; i < 6; i++) Assert.Equal(expectedBce[i], x.Grad!.Data[i], 1e-6);

        x.ZeroGrad();
        var ce = TensorOps.SoftmaxCrossEntropy(x, new[] { 0, 0 }, 0.1f);
        // Row 0: lse = 100 + log 2; loss = lse - 0.9*(-100) - 0.1/3*(100) . Row 1: lse = 100; loss = 100 - 90 - 0.1/3*(-100) + ... computed below.
        double lse0 = 100 + Math.Log(2 + Math.Exp(-200)), lse1 = 100 + Math.Log(1 + 2 * Math.Exp(-200));
        double row0 = lse0 - 0.9 * -100 - 0.1 / 3 * 100;
        double row1 = lse1 - 0.9 * 100 - 0.1 / 3 * -100;
        Assert.True(Math.Abs(ce.Item() - (row0 + row1) / 2) < 1e-4 * Math.Abs((row0 + row1) / 2));
        ce.Backward();
        Assert.All(x.Grad!.Data, g => Assert.True(float.IsFinite(g)));
        Assert.Equal((0 - (0.9 + 0.1 / 3)) / 2, x.Grad!.Data[0], 1e-6);

        x.ZeroGrad();
        var teacher = Tensor.FromArray(new[] { 100f, -100f, -100f, -100f, 100f, -100f }, 2, 3);
        var kl = TensorOps.KlDistillation(x, teacher, 1f);
        Assert.True(float.IsFinite(kl.Item()) && kl.Item() > 100f);
        kl.Backward();
        Assert.All(x.Grad!.Data, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void UpstreamGradient_ScalesTheLossGradient()
    {
        var x = Logits(SeededRandom.Create(3), 3, 7);
        var t = Tensor.Uniform(SeededRandom.Create(4), 0f, 1f, 3, 7);
        TensorOps.BinaryCrossEntropyWithLogits(x, t).Backward();
        var once = (float[])x.Grad!.Data.Clone();
        x.ZeroGrad();
        TensorOps.BinaryCrossEntropyWithLogits(x, t).Backward(Tensor.Scalar(2.5f));
        for (int i = 0; i < once.Length; i++) Assert.Equal(2.5 * once[i], x.Grad!.Data[i], 1e-7);
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_NamesIndexAndClassCount()
    {
        var x = Tensor.Zeros(3, 7);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.SoftmaxCrossEntropy(x, new[] { 0, 7, 1 }));
        Assert.Contains("labels[1] = 7", e.Message);
        Assert.Contains("7 classes", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.SoftmaxCrossEntropy(x, new[] { 0, -1, 1 }));
        Assert.Throws<ArgumentException>(() => TensorOps.SoftmaxCrossEntropy(x, new[] { 0, 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.SoftmaxCrossEntropy(x, new[] { 0, 1, 2 }, 1.5f));
    }

    [Fact]
    public void Bce_RejectsTargetsOutsideZeroOne_AndShapeMismatch()
    {
        var x = Tensor.Zeros(2, 3);
        var bad = Tensor.Zeros(2, 3);
        bad[1, 2] = 1.5f;
        var e = Assert.Throws<ArgumentException>(() => TensorOps.BinaryCrossEntropyWithLogits(x, bad));
        Assert.Contains("targets[1, 2] = 1.5", e.Message);
        bad[1, 2] = float.NaN;
        Assert.Throws<ArgumentException>(() => TensorOps.BinaryCrossEntropyWithLogits(x, bad));
        Assert.Throws<ArgumentException>(() => TensorOps.DistillationBce(x, Tensor.Zeros(3, 2)));
        Assert.Throws<ArgumentException>(() => TensorOps.BinaryCrossEntropyWithLogits(Tensor.Zeros(6), Tensor.Zeros(6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.KlDistillation(x, x, 0f));
    }

    [Fact]
    public void LossGuard_ThrowsNamingLossAndStep_OnNonFinite()
    {
        Assert.Equal(1.5f, LossGuard.EnsureFinite(Tensor.Scalar(1.5f), "task", 3));
        var e = Assert.Throws<NonFiniteLossException>(() => LossGuard.EnsureFinite(Tensor.Scalar(float.NaN), "distillation", 1234));
        Assert.Equal("distillation", e.LossName);
        Assert.Equal(1234, e.Step);
        Assert.Contains("'distillation'", e.Message);
        Assert.Contains("step 1234", e.Message);
        Assert.Throws<NonFiniteLossException>(() => LossGuard.EnsureFinite(Tensor.Scalar(float.PositiveInfinity), "task", 0));
    }

    [Fact]
    public void WeightedLossSum_CombinesTaskAndDistillationLosses_WithWeightedGradients()
    {
        var rng = SeededRandom.Create(21);
        var x = Logits(rng, 3, 7);
        var labels = Tensor.FromArray(Enumerable.Range(0, 21).Select(i => (float)(i % 2)).ToArray(), 3, 7);
        var teacher = Tensor.Uniform(rng, 0f, 1f, 3, 7);
        var task = TensorOps.BinaryCrossEntropyWithLogits(x, labels);
        var kd = TensorOps.DistillationBce(x, teacher);
        var total = TensorOps.WeightedLossSum((task, 0.1f), (kd, 0.9f));
        Assert.Equal(0.1 * task.Item() + 0.9 * kd.Item(), total.Item(), 1e-6);
        total.Backward();

        var xd = LossReference.ToDouble(x.Data);
        var g1 = LossReference.BceGrad(xd, LossReference.ToDouble(labels.Data));
        var g2 = LossReference.BceGrad(xd, LossReference.ToDouble(teacher.Data));
        var expected = g1.Select((g, i) => 0.1 * g + 0.9 * g2[i]).ToArray();
        Assert.True(LossReference.RelativeError(LossReference.ToDouble(x.Grad!.Data), expected) < 1e-3);
        Assert.Throws<ArgumentException>(() => TensorOps.WeightedLossSum((x, 1f)));
        Assert.Throws<ArgumentException>(() => TensorOps.WeightedLossSum((task, float.NaN)));
    }
}
