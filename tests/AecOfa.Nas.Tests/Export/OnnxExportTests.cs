using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Export;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Nas.Tests.Export;

/// <summary>The exported ONNX graph, run by ONNX Runtime, gives the engine's outputs (1e-4) for random inputs and
/// random sub-networks of the tiny space: every kernel size, SE on (stage 2) and off (stage 1), residual and
/// strided blocks, every resolution gene (mel bins 8/6, hop factor 1/2, with a partial last frame window).</summary>
public sealed class OnnxExportTests
{
    private static readonly ArchSpace Space = TinySupernet.Space;

    public static IEnumerable<object[]> UniformConfigs()
    {
        foreach (int mel in Space.Input.MelBinSet)
            foreach (int hop in Space.Input.HopFactorSet)
                foreach (int k in Space.KernelChoices)
                    yield return [mel, hop, k];
    }

    [Theory]
    [MemberData(nameof(UniformConfigs))]
    public void OrtEqualsEngine_UniformSubnets(int mel, int hop, int kernel)
    {
        var config = ArchConfig.Uniform(Space, depth: 3, kernel: kernel, expand: 3, melBins: mel, hopFactor: hop);
        AssertOrtMatches(config, seed: mel * 100 + hop * 10 + kernel);
    }

    [Fact]
    public void OrtEqualsEngine_RandomSubnets()
    {
        var rng = new Random(11);
        for (int i = 0; i < 8; i++) AssertOrtMatches(ArchSampling.Sample(Space, rng), seed: 500 + i);
    }

    [Fact]
    public void CoversEveryFeatureOfTheSpace()
    {
        // The uniform configs above contain, per network: strided first blocks (stage 1, stride 2), residual blocks
        // (blocks 1 and 2), SE (stage 2) and none (stage 1), and every kernel; here the structural facts are checked.
        var net = new StaticMbv3Network(Space, ArchConfig.Uniform(Space, 3, 5, 2));
        Assert.Contains(net.Blocks, b => b.Block.DepthConv.Stride == 2);
        Assert.Contains(net.Blocks, b => b.Block.HasResidual);
        Assert.Contains(net.Blocks, b => b.Block.Se is not null);
        Assert.Contains(net.Blocks, b => b.Block.Se is null);
    }

    [Fact]
    public void MetadataCarriesFrontEndAndArchitecture()
    {
        var config = ArchConfig.Uniform(Space, 2, 3, 2, melBins: 6, hopFactor: 2);
        var net = NewNetwork(config, 3);
        var frontEnd = new Dictionary<string, string> { ["logmel"] = "logmel-v1;test", ["clip_seconds"] = "1", ["classes"] = "[\"a\",\"b\"]" };
        using var ms = new MemoryStream();
        var summary = OnnxExporter.Export(net, ms, frontEnd);
        Assert.Equal(17, summary.Opset);
        Assert.Equal(ms.Length, summary.Bytes);
        Assert.DoesNotContain("BatchNormalization", summary.OperatorTypes);
        using var ort = new OrtRunner(ms.ToArray());
        var meta = ort.Session.ModelMetadata;
        Assert.Equal("aecofa", meta.ProducerName);
        Assert.Equal("logmel-v1;test", meta.CustomMetadataMap["frontend.logmel"]);
        Assert.Equal("1", meta.CustomMetadataMap["frontend.clip_seconds"]);
        Assert.Equal(config, ArchConfig.FromJson(meta.CustomMetadataMap[StaticNetworkFile.ConfigKey], Space));
        Assert.Equal(Space, ArchSpace.FromJson(meta.CustomMetadataMap[StaticNetworkFile.SpaceKey]));
        var scores = ort.Run(TinySupernet.Input(new Random(1), 2), "scores");
        var logits = ort.Run(TinySupernet.Input(new Random(1), 2));
        for (int i = 0; i < logits.Length; i++) Assert.Equal(1.0 / (1.0 + Math.Exp(-logits[i])), scores[i], 1e-5);
    }

    [Fact]
    public void FixedFramesOption_WritesAStaticShape()
    {
        var net = NewNetwork(ArchConfig.Min(Space), 4);
        using var ms = new MemoryStream();
        OnnxExporter.Export(net, ms, options: new OnnxExportOptions { Frames = 12, IncludeScores = false });
        using var ort = new OrtRunner(ms.ToArray());
        Assert.Equal([-1, 1, 8, 12], ort.Session.InputMetadata["features"].Dimensions);
        Assert.Single(ort.Session.OutputMetadata);
    }

    [Fact]
    public void BatchNormFolding_EqualsConvThenBatchNorm()
    {
        var rng = new Random(5);
        foreach (var (groups, bias) in new[] { (1, false), (1, true), (12, false) })
        {
            var conv = new Conv2d(12, 12, 3, rng, stride: 2, groups: groups, bias: bias);
            var bn = new BatchNorm2d(12);
            var holder = new Holder(conv, bn);
            TinySupernet.Randomize(holder, rng);
            if (conv.Bias is { } b) for (int i = 0; i < b.Numel; i++) b.Data[i] = (float)(rng.NextDouble() - 0.5);
            holder.Eval();
            var x = Tensor.Uniform(rng, -2f, 2f, 2, 12, 9, 7);
            Tensor expected, actual;
            using (GradMode.NoGrad())
            {
                expected = bn.Forward(conv.Forward(x));
                var f = BatchNormFolding.Fold(conv, bn);
                actual = TensorOps.Conv2d(x, Tensor.FromArray(f.Weight, f.WeightShape), Tensor.FromArray(f.Bias, f.Bias.Length), f.Stride, f.Padding, f.Groups);
            }
            Assert.True(TinySupernet.MaxAbsDiff(expected, actual) < 1e-5, $"groups {groups} bias {bias}: {TinySupernet.MaxAbsDiff(expected, actual)}");
        }
    }

    [Fact]
    public void BatchNormFolding_IdentityBatchNormLeavesWeightsUnchanged()
    {
        var conv = new Conv2d(4, 6, 3, new Random(2));
        var f = BatchNormFolding.Fold(conv, new BatchNorm2d(6, eps: 0f));
        Assert.Equal(conv.Weight.Data, f.Weight);
        Assert.All(f.Bias, v => Assert.Equal(0f, v));
    }

    private sealed class Holder : Module
    {
        public Holder(Conv2d conv, BatchNorm2d bn)
        {
            RegisterModule("conv", conv);
            RegisterModule("conv_bn", bn);
        }
    }

    internal static StaticMbv3Network NewNetwork(ArchConfig config, int seed)
    {
        var net = new StaticMbv3Network(Space, config, seed);
        TinySupernet.Randomize(net, new Random(seed + 1));
        net.Eval();
        return net;
    }

    private static void AssertOrtMatches(ArchConfig config, int seed)
    {
        var net = NewNetwork(config, seed);
        using var ms = new MemoryStream();
        OnnxExporter.Export(net, ms);
        using var ort = new OrtRunner(ms.ToArray());
        var rng = new Random(seed);
        foreach (int frames in new[] { 12, 13 })
        {
            var x = TinySupernet.Input(rng, 3, frames: frames);
            Tensor expected;
            using (GradMode.NoGrad()) expected = net.Forward(x);
            var actual = ort.Run(x);
            Assert.Equal(expected.Numel, actual.Length);
            double max = 0;
            for (int i = 0; i < actual.Length; i++) max = Math.Max(max, Math.Abs(expected.Data[i] - actual[i]));
            Assert.True(max < 1e-4, $"{config}, {frames} frames: max |ORT - engine| = {max:E2}");
        }
    }
}
