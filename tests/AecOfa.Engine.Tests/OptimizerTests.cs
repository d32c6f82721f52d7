using AecOfa.Engine.Nn;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

public class OptimizerTests
{
    private static Parameter P(float[] values, bool noWeightDecay = false) => new((float[])values.Clone(), new[] { values.Length }, noWeightDecay);

    private static void SetGrad(Parameter p, params float[] g) => p.Grad = Tensor.FromArray((float[])g.Clone(), p.Shape);

    private static (string, Parameter)[] Named(params Parameter[] ps) => ps.Select((p, i) => ($"p{i}", p)).ToArray();

    [Fact]
    public void Sgd_Momentum_HandComputed()
    {
        // p0 = 1, g = 1, lr 0.1, mu 0.9: buf 1, 1.9, 2.71 -> p 0.9, 0.71, 0.439.
        var p = P(new[] { 1f });
        var opt = new Sgd(Named(p), 0.1f, momentum: 0.9f);
        float[] expected = { 0.9f, 0.71f, 0.439f };
        foreach (float e in expected)
        {
            SetGrad(p, 1f);
            opt.Step();
            Assert.Equal(e, p.Data[0], 1e-6);
        }
        Assert.Equal(3, opt.StepCount);
    }

    [Fact]
    public void Sgd_Nesterov_HandComputed()
    {
        // buf 1 -> g' = 1 + 0.9*1 = 1.9 -> p 0.81; buf 1.9 -> g' = 2.71 -> p 0.539.
        var p = P(new[] { 1f });
        var opt = new Sgd(Named(p), 0.1f, momentum: 0.9f, nesterov: true);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.81f, p.Data[0], 1e-6);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.539f, p.Data[0], 1e-6);
    }

    [Fact]
    public void Sgd_CoupledWeightDecay_HandComputed()
    {
        // g = 1 + 0.1*1 = 1.1 -> p = 1 - 0.11 = 0.89; then g = 1 + 0.089 = 1.089, buf = 0.99 + 1.089 = 2.079 -> p = 0.89 - 0.2079.
        var p = P(new[] { 1f });
        var opt = new Sgd(Named(p), 0.1f, momentum: 0.9f, weightDecay: 0.1f);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.89f, p.Data[0], 1e-6);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.6821f, p.Data[0], 1e-6);
    }

    [Fact]
    public void AdamW_HandComputed()
    {
        // Constant gradient: bias-corrected m / sqrt(v) = 1, so each step moves lr after the decoupled decay.
        // Step 1: 1*(1 - 0.1*0.1) - 0.1 = 0.89; step 2: 0.89*0.99 - 0.1 = 0.7811.
        var p = P(new[] { 1f });
        var opt = new AdamW(Named(p), 0.1f, weightDecay: 0.1f);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.89f, p.Data[0], 1e-6);
        SetGrad(p, 1f);
        opt.Step();
        Assert.Equal(0.7811f, p.Data[0], 1e-6);
    }

    /// <summary>The PyTorch formulas in float64, applied for several steps with varying gradients.</summary>
    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(true, 0.05f)]
    public void Sgd_MatchesFloat64Reference_OverSeveralSteps(bool nesterov, float wd)
    {
        var rng = SeededRandom.Create(1);
        var init = Tensor.Randn(rng, 1f, 7).Data;
        var p = P(init);
        var opt = new Sgd(Named(p), 0.05f, momentum: 0.9f, nesterov: nesterov, weightDecay: wd);
        var rp = init.Select(v => (double)v).ToArray();
        var buf = new double[7];
        for (int step = 0; step < 5; step++)
        {
            var g = Tensor.Randn(rng, 1f, 7).Data;
            opt.LearningRate = 0.05f * (step + 1);
            SetGrad(p, g);
            opt.Step();
            double lr = 0.05f * (step + 1);
            for (int i = 0; i < 7; i++)
            {
                double gi = g[i] + (double)wd * rp[i];
                buf[i] = step == 0 ? gi : 0.9 * buf[i] + gi;
                rp[i] -= lr * (nesterov ? gi + 0.9 * buf[i] : buf[i]);
            }
            for (int i = 0; i < 7; i++) Assert.True(Math.Abs(p.Data[i] - rp[i]) < 1e-5 * Math.Max(1, Math.Abs(rp[i])), $"step {step} i {i}: {p.Data[i]} vs {rp[i]}");
        }
    }

    [Fact]
    public void AdamW_MatchesFloat64Reference_OverSeveralSteps()
    {
        var rng = SeededRandom.Create(2);
        var init = Tensor.Randn(rng, 1f, 33).Data;
        var p = P(init);
        const double lr = 0.01, b1 = 0.8, b2 = 0.99, eps = 1e-6, wd = 0.1;
        var opt = new AdamW(Named(p), (float)lr, (float)b1, (float)b2, (float)eps, (float)wd);
        var rp = init.Select(v => (double)v).ToArray();
        var m = new double[33];
        var v = new double[33];
        for (int t = 1; t <= 6; t++)
        {
            var g = Tensor.Randn(rng, t, 33).Data;
            SetGrad(p, g);
            opt.Step();
            for (int i = 0; i < 33; i++)
            {
                rp[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps;
                rp[i] -= lr * mHat / denom;
            }
            for (int i = 0; i < 33; i++) Assert.True(Math.Abs(p.Data[i] - rp[i]) < 1e-5 * Math.Max(1, Math.Abs(rp[i])), $"step {t} i {i}: {p.Data[i]} vs {rp[i]}");
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void WeightDecay_SkipsNoWeightDecayParameters_WhenTheOptionSaysSo(string kind)
    {
        foreach (bool exclude in new[] { true, false })
        {
            var decayed = P(new[] { 2f, -3f });
            var bnScale = P(new[] { 2f, -3f }, noWeightDecay: true);
            Optimizer opt = kind == "sgd"
                ? new Sgd(Named(decayed, bnScale), 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.5f, excludeNoWeightDecayParameters: exclude)
                : new AdamW(Named(decayed, bnScale), 0.1f, weightDecay: 0.5f, excludeNoWeightDecayParameters: exclude);
            SetGrad(decayed, 0f, 0f);
            SetGrad(bnScale, 0f, 0f);
            opt.Step();
            Assert.True(Math.Abs(decayed.Data[0]) < 2f, "decayed parameter shrinks");
            if (exclude) Assert.Equal(new[] { 2f, -3f }, bnScale.Data);
            else Assert.Equal(decayed.Data, bnScale.Data);
        }
    }

    [Fact]
    public void Step_SkipsParametersWithoutGradient_AndTheirState()
    {
        var a = P(new[] { 1f });
        var b = P(new[] { 1f });
        var opt = new AdamW(Named(a, b), 0.1f, weightDecay: 0.1f);
        SetGrad(a, 1f);
        opt.Step();
        Assert.Equal(1f, b.Data[0]);
        var state = opt.ExportState();
        Assert.True(state.Parameters.ContainsKey("p0"));
        Assert.False(state.Parameters.ContainsKey("p1"));
        // b's first update later is a first Adam step (its own bias correction), not a second.
        SetGrad(a, 1f);
        SetGrad(b, 1f);
        opt.Step();
        Assert.Equal(0.89f, b.Data[0], 1e-6);
        Assert.Equal(2, opt.ExportState().Parameters["p0"].Step);
        Assert.Equal(1, opt.ExportState().Parameters["p1"].Step);
    }

    [Fact]
    public void ZeroGrad_ClearsGradients()
    {
        var a = P(new[] { 1f });
        var opt = new Sgd(Named(a), 0.1f);
        SetGrad(a, 1f);
        opt.ZeroGrad();
        Assert.Null(a.Grad);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void ExportImport_ResumesWithBitIdenticalSteps(string kind)
    {
        var rng = SeededRandom.Create(7);
        var init = Tensor.Randn(rng, 1f, 7).Data;
        var grads = Enumerable.Range(0, 6).Select(_ => Tensor.Randn(rng, 1f, 7).Data).ToArray();
        Optimizer Make(Parameter p) => kind == "sgd"
            ? new Sgd(new[] { ("w", p) }, 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f)
            : new AdamW(new[] { ("w", p) }, 0.01f, weightDecay: 0.01f);

        var a = P(init);
        var optA = Make(a);
        for (int s = 0; s < 3; s++) { SetGrad(a, grads[s]); optA.Step(); }
        var state = optA.ExportState();

        var b = P(a.Data);
        var optB = Make(b);
        optB.ImportState(state);
        Assert.Equal(3, optB.StepCount);
        for (int s = 3; s < 6; s++)
        {
            SetGrad(a, grads[s]); optA.Step();
            SetGrad(b, grads[s]); optB.Step();
        }
        Assert.Equal(a.Data, b.Data);
        // The export was a deep copy: steps after it did not change it.
        Assert.Equal(3, state.Parameters["w"].Step);
    }

    [Fact]
    public void ImportState_RejectsWrongTypeUnknownNamesAndLengths_WithoutChangingState()
    {
        var p = P(new[] { 1f, 2f });
        var sgd = new Sgd(new[] { ("w", p) }, 0.1f, momentum: 0.9f);
        var adam = new AdamW(new[] { ("w", p) }, 0.1f);
        SetGrad(p, 1f, 1f);
        adam.Step();
        var e = Assert.Throws<ArgumentException>(() => sgd.ImportState(adam.ExportState()));
        Assert.Contains("'AdamW'", e.Message);

        var bad = new OptimizerState("Sgd", 1, new Dictionary<string, ParameterOptimizerState>
        {
            ["w"] = new(1, new Dictionary<string, float[]> { ["momentum_buffer"] = new float[3] }),
            ["ghost"] = new(1, new Dictionary<string, float[]> { ["momentum_buffer"] = new float[2] }),
        });
        e = Assert.Throws<ArgumentException>(() => sgd.ImportState(bad));
        Assert.Contains("unknown parameter 'ghost'", e.Message);
        Assert.Contains("has 3 values, the parameter has 2", e.Message);
        Assert.Equal(0, sgd.StepCount);
        Assert.Empty(sgd.ExportState().Parameters);
    }

    [Fact]
    public void Constructor_RejectsDuplicatesAndBadHyperparameters()
    {
        var p = P(new[] { 1f });
        Assert.Throws<ArgumentException>(() => new Sgd(new[] { ("a", p), ("b", p) }, 0.1f));
        Assert.Throws<ArgumentException>(() => new Sgd(new[] { ("a", p), ("a", P(new[] { 1f })) }, 0.1f));
        Assert.Throws<ArgumentException>(() => new Sgd(new[] { ("a", p) }, 0.1f, momentum: 0f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(new[] { ("a", p) }, 0.1f, beta1: 1f));
        var opt = new Sgd(new[] { ("a", p) }, 0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = float.NaN);
    }

    [Fact]
    public void Step_RejectsAGradientOfTheWrongSize()
    {
        var p = P(new[] { 1f, 2f });
        var opt = new Sgd(new[] { ("w", p) }, 0.1f);
        p.Grad = Tensor.Zeros(3);
        var e = Assert.Throws<InvalidOperationException>(() => opt.Step());
        Assert.Contains("'w'", e.Message);
    }
}
