using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Nas.Tests.Fusion;

/// <summary>
/// The networks run every "BN then ReLU / h-swish" as the engine's fused op; these tests hold them to the unfused
/// composition (<see cref="UnfusedReference"/>) on twin networks: same logits, same gradients of every parameter,
/// same running statistics after training steps, same statistics after BN recalibration.
/// </summary>
public class FusedBatchNormActivationTests
{
    private const double Tolerance = 1e-6;

    // Batch 3; 6 mel bins at hop 2 give 6 x 6 inputs, 3 x 3 after the stem and 2 x 2 after the stride-2 stage.
    private static readonly ArchConfig Mixed = new([2, 3], [5, 3, 0, 7, 3, 5], [3, 2, 0, 2, 3, 3], 6, 2);

    private static IEnumerable<ArchConfig> Configs => [Mixed, ArchConfig.Max(TinySupernet.Space), ArchConfig.Min(TinySupernet.Space)];

    [Fact]
    public void Supernet_training_steps_match_the_unfused_network()
    {
        var fused = TinySupernet.Build(31);
        var plain = TinySupernet.Build(31);
        var rng = new Random(32);
        // Several configs through the same layers: widths change between forwards (per-width statistics buffers).
        foreach (var config in Configs)
        {
            var x = TinySupernet.Input(rng, 3);
            var upstream = Tensor.Uniform(rng, -1f, 1f, 3, TinySupernet.Space.Classes);
            var y = fused.Forward(x, config);
            var expected = new UnfusedReference(ReferenceBnMode.Train).Supernet(plain, x, config);
            AssertClose($"logits {config}", expected, y);
            y.Backward(upstream);
            expected.Backward(upstream);
        }
        AssertSameGradientsAndBuffers(plain, fused);
    }

    [Fact]
    public void Supernet_eval_matches_the_unfused_network_with_and_without_gradients()
    {
        var fused = TinySupernet.Build(33);
        var plain = TinySupernet.Build(33);
        fused.Eval();
        plain.Eval();
        var x = TinySupernet.Input(new Random(34), 3);
        foreach (var config in Configs)
        {
            var expected = new UnfusedReference(ReferenceBnMode.Eval).Supernet(plain, x, config);
            AssertClose($"eval logits {config}", expected, fused.Forward(x, config));
            using (GradMode.NoGrad()) AssertClose($"inference logits {config}", expected, fused.Forward(x, config));
        }
    }

    [Fact]
    public void Supernet_recalibration_statistics_match_the_unfused_network()
    {
        var fused = TinySupernet.Build(35);
        var plain = TinySupernet.Build(35);
        // 7 clips in batches of 3: batch sizes 3, 3, 1.
        var data = new TinySupernet.FixedFeatures(TinySupernet.Input(new Random(36), 7));
        new BnRecalibrator(data, clips: 7, batchSize: 3).Recalibrate(fused, Mixed);
        var reference = new UnfusedReference(ReferenceBnMode.Recalibrate);
        using (GradMode.NoGrad())
            foreach (var batch in data.Batches(7, 3)) reference.SupernetFeatures(plain, batch, Mixed);
        reference.CommitRecalibration();
        AssertSameGradientsAndBuffers(plain, fused);
        // Recalibration changed something (the check above is not comparing two untouched networks).
        Assert.NotEqual(TinySupernet.Build(35).StemBn.RunningMean.Data, fused.StemBn.RunningMean.Data);
    }

    [Fact]
    public void Static_network_training_steps_and_eval_match_the_unfused_network()
    {
        foreach (var config in Configs)
        {
            var fused = BuildStatic(config, 37);
            var plain = BuildStatic(config, 37);
            var rng = new Random(38);
            for (int step = 0; step < 2; step++)
            {
                var x = TinySupernet.Input(rng, 3);
                var upstream = Tensor.Uniform(rng, -1f, 1f, 3, TinySupernet.Space.Classes);
                var y = fused.Forward(x);
                var expected = new UnfusedReference(ReferenceBnMode.Train).Static(plain, x);
                AssertClose($"static logits {config}", expected, y);
                y.Backward(upstream);
                expected.Backward(upstream);
            }
            AssertSameGradientsAndBuffers(plain, fused);

            fused.Eval();
            plain.Eval();
            var probe = TinySupernet.Input(rng, 3);
            var evalExpected = new UnfusedReference(ReferenceBnMode.Eval).Static(plain, probe);
            AssertClose($"static eval logits {config}", evalExpected, fused.Forward(probe));
            using (GradMode.NoGrad()) AssertClose($"static inference logits {config}", evalExpected, fused.Forward(probe));
        }
    }

    [Fact]
    public void Fused_layers_keep_the_plain_batch_norm_state_dict_keys()
    {
        var net = BuildStatic(Mixed, 39);
        Assert.Contains(net.StateDict(), t => t.Name == "stem_bn.running_var");
        Assert.Contains(net.StateDict(), t => t.Name == "s2b0.depthwise_bn.weight");
        Assert.DoesNotContain(net.StateDict(), t => t.Name.Contains("act", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(TinySupernet.Build(39).StateDict(), t => t.Name.Contains("act", StringComparison.OrdinalIgnoreCase));
    }

    private static StaticMbv3Network BuildStatic(ArchConfig config, int seed)
    {
        var net = new StaticMbv3Network(TinySupernet.Space, config, seed);
        TinySupernet.Randomize(net, new Random(seed + 1000));
        return net;
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        double diff = TinySupernet.MaxAbsDiff(expected, actual);
        Assert.True(diff <= Tolerance, $"{what}: max |fused - unfused| = {diff:E2}");
    }

    /// <summary>Every parameter's gradient (relative to the gradient's scale) and every buffer of two twin networks.</summary>
    private static void AssertSameGradientsAndBuffers(Module expected, Module actual)
    {
        var actualParameters = actual.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, p) in expected.NamedParameters())
        {
            var q = actualParameters[name];
            Assert.True((p.Grad is null) == (q.Grad is null), $"{name}: gradient present in only one network");
            if (p.Grad is null) continue;
            double scale = Math.Max(1.0, p.Grad.Data.Max(v => Math.Abs((double)v)));
            double diff = TinySupernet.MaxAbsDiff(p.Grad, q.Grad!);
            Assert.True(diff <= Tolerance * scale, $"{name}: max |grad fused - grad unfused| = {diff:E2} (scale {scale:G3})");
        }
        var actualBuffers = actual.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer);
        foreach (var (name, b) in expected.NamedBuffers())
            AssertClose(name, b, actualBuffers[name]);
    }
}
