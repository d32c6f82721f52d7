using AecOfa.Engine;
using AecOfa.Nas.Export;
using AecOfa.Nas.Inference;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Tests.Export;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Nas.Tests.Inference;

/// <summary>The compiled inference plan gives the autograd eval path's logits (1e-4) for every feature of the tiny
/// space (kernels 3/5/7, SE on and off, residual and strided blocks, every resolution gene with a partial last hop
/// window) and for the smallest sub-networks of the demo's and the default space; it allocates nothing per call.</summary>
public sealed class InferencePlanTests
{
    private static readonly ArchSpace Space = TinySupernet.Space;

    public static IEnumerable<object[]> UniformConfigs() => OnnxExportTests.UniformConfigs();

    [Theory]
    [MemberData(nameof(UniformConfigs))]
    public void PlanEqualsEvalForward_UniformSubnets(int mel, int hop, int kernel)
    {
        var config = ArchConfig.Uniform(Space, depth: 3, kernel: kernel, expand: 3, melBins: mel, hopFactor: hop);
        AssertPlanMatches(OnnxExportTests.NewNetwork(config, seed: mel * 100 + hop * 10 + kernel), batch: 2, seed: kernel);
    }

    [Fact]
    public void PlanEqualsEvalForward_RandomSubnets()
    {
        var rng = new Random(13);
        for (int i = 0; i < 10; i++) AssertPlanMatches(OnnxExportTests.NewNetwork(ArchSampling.Sample(Space, rng), seed: 700 + i), batch: 1, seed: i);
    }

    [Fact]
    public void PlanEqualsEvalForward_DemoAndDefaultSpaceSmallest()
    {
        var demo = ArchSpace.Default with
        {
            WidthMultiplier = 0.25,
            Input = new InputSpec { MelBins = 64, Frames = 101, MelBinChoices = [64, 48, 32], HopFactorChoices = [1, 2] },
            Classes = 11,
        };
        foreach (var (space, config) in new[]
                 {
                     (demo, ArchConfig.Min(demo).WithResolution(32, 2)),
                     (demo, ArchConfig.Max(demo).WithResolution(48, 1)),
                     (ArchSpace.Default, ArchConfig.Min(ArchSpace.Default)),
                 })
        {
            var net = new StaticMbv3Network(space, config, seed: 3);
            TinySupernet.Randomize(net, new Random(4));
            net.Eval();
            AssertPlanMatches(net, batch: 1, seed: 5);
        }
    }

    [Fact]
    public void Run_AllocatesNothingAfterTheFirstCall()
    {
        var net = OnnxExportTests.NewNetwork(ArchConfig.Uniform(Space, 2, 5, 3, melBins: 6, hopFactor: 2), seed: 9);
        var plan = InferencePlan.Compile(net);
        var x = TinySupernet.Input(new Random(1), 1).Data;
        var logits = new float[plan.Classes];
        plan.Run(x, logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) plan.Run(x, logits);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Run_WrongSizes_NameTheArgument()
    {
        var plan = InferencePlan.Compile(OnnxExportTests.NewNetwork(ArchConfig.Min(Space), seed: 2));
        var e = Assert.Throws<ArgumentException>(() => plan.Run(new float[plan.InputLength + 1], new float[plan.Classes]));
        Assert.Equal("features", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => plan.Run(new float[plan.InputLength], new float[plan.Classes - 1]));
        Assert.Equal("logits", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => plan.Run(Tensor.Zeros(1, 1, 8, 13)));
        Assert.Equal("x", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>("frames", () => InferencePlan.Compile(OnnxExportTests.NewNetwork(ArchConfig.Min(Space), 2), frames: 0));
    }

    [Fact]
    public void Compile_OtherFrameCount_MatchesForwardOnThatLength()
    {
        var net = OnnxExportTests.NewNetwork(ArchConfig.Uniform(Space, 2, 7, 2, melBins: 8, hopFactor: 2), seed: 21);
        var plan = InferencePlan.Compile(net, frames: 17);
        var x = TinySupernet.Input(new Random(2), 2, frames: 17);
        Tensor expected;
        using (GradMode.NoGrad()) expected = net.Forward(x);
        Assert.True(TinySupernet.MaxAbsDiff(expected, plan.Run(x)) < 1e-4);
    }

    private static void AssertPlanMatches(StaticMbv3Network net, int batch, int seed)
    {
        var plan = InferencePlan.Compile(net);
        var x = Tensor.Uniform(new Random(seed), -2f, 2f, batch, 1, net.Space.Input.MelBins, net.Space.Input.Frames);
        Tensor expected;
        using (GradMode.NoGrad()) expected = net.Forward(x);
        var actual = plan.Run(x);
        double diff = TinySupernet.MaxAbsDiff(expected, actual);
        Assert.True(diff < 1e-4, $"{net.Config}: max |plan - forward| = {diff:E2}");
    }
}
