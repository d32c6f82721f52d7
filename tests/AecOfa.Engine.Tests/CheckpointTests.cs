using AecOfa.Engine.IO;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

public class CheckpointTests
{
    /// <summary>A minimal module: logits = x + bias-like weight, with a child holding a buffer and a no-decay parameter.</summary>
    private sealed class TinyNet : Module
    {
        public TinyNet(Random rng, int k = 7)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Randn(rng, 1f, 3, k).Data, new[] { 3, k }));
            Head = RegisterModule("head", new TinyHead(rng, k));
        }

        public Parameter Weight { get; }

        public TinyHead Head { get; }

        public Tensor Forward(Tensor x) => TensorOps.Add(TensorOps.Add(x, Weight), Head.Shift);
    }

    private sealed class TinyHead : Module
    {
        public TinyHead(Random rng, int k)
        {
            Shift = RegisterParameter("shift", new Parameter(Tensor.Randn(rng, 1f, 3, k).Data, new[] { 3, k }, noWeightDecay: true));
            Running = RegisterBuffer("running_mean", Tensor.Randn(rng, 1f, k));
        }

        public Parameter Shift { get; }

        public Tensor Running { get; }
    }

    private static float TrainStep(TinyNet net, Optimizer opt, Tensor x, Tensor targets, float lr)
    {
        opt.ZeroGrad();
        var loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x), targets);
        loss.Backward();
        opt.LearningRate = lr;
        opt.Step();
        return loss.Item();
    }

    private static (Tensor X, Tensor T)[] Batches(int count)
    {
        var rng = SeededRandom.Create(99);
        return Enumerable.Range(0, count).Select(_ => (Tensor.Randn(rng, 1f, 3, 7), Tensor.Uniform(rng, 0f, 1f, 3, 7))).ToArray();
    }

    private static Optimizer MakeOptimizer(string kind, TinyNet net) => kind == "sgd"
        ? new Sgd(net.NamedParameters(), 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 3e-5f)
        : new AdamW(net.NamedParameters(), 0.01f, weightDecay: 0.01f);

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public void SaveLoad_WithOptimizerState_ResumesWithBitIdenticalSteps(string kind)
    {
        using var dir = new TempFolder();
        var path = dir.File("ckpt.safetensors");
        var batches = Batches(6);
        var schedule = new CosineSchedule(0.1f, totalSteps: 6, warmupSteps: 2);

        var a = new TinyNet(SeededRandom.Create(1));
        var optA = MakeOptimizer(kind, a);
        for (int s = 0; s < 3; s++) TrainStep(a, optA, batches[s].X, batches[s].T, schedule.LearningRate(s));
        Checkpoint.Save(path, a, optA, step: 3, new Dictionary<string, string> { ["arch"] = "{\"k\":7}" });
        var expectedLosses = Enumerable.Range(3, 3).Select(s => TrainStep(a, optA, batches[s].X, batches[s].T, schedule.LearningRate(s))).ToArray();

        var b = new TinyNet(SeededRandom.Create(2)); // different initial weights, overwritten by the load
        var optB = MakeOptimizer(kind, b);
        var info = Checkpoint.Load(path, b, optB);
        Assert.Equal(3, info.Step);
        Assert.True(info.HasOptimizerState);
        Assert.Equal("{\"k\":7}", info.Metadata["arch"]);
        Assert.DoesNotContain(info.Metadata.Keys, k => k.StartsWith("aecofa.", StringComparison.Ordinal));
        Assert.Equal(3, optB.StepCount);
        var losses = Enumerable.Range((int)info.Step, 3).Select(s => TrainStep(b, optB, batches[s].X, batches[s].T, schedule.LearningRate(s))).ToArray();

        Assert.Equal(expectedLosses, losses);
        foreach (var ((name, ta), (_, tb)) in a.StateDict().Zip(b.StateDict()))
            Assert.True(ta.Data.AsSpan().SequenceEqual(tb.Data), $"{name} differs after resume");
    }

    [Fact]
    public void Load_WithoutOptimizerState_RestoresWeightsAndBuffers_OrRefusesAnOptimizer()
    {
        using var dir = new TempFolder();
        var path = dir.File("w.safetensors");
        var a = new TinyNet(SeededRandom.Create(1));
        Checkpoint.Save(path, a);
        var b = new TinyNet(SeededRandom.Create(2));
        var info = Checkpoint.Load(path, b);
        Assert.Equal(0, info.Step);
        Assert.False(info.HasOptimizerState);
        Assert.Equal(a.Head.Running.Data, b.Head.Running.Data);
        Assert.Equal(a.Weight.Data, b.Weight.Data);

        var c = new TinyNet(SeededRandom.Create(3));
        var before = (float[])c.Weight.Data.Clone();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, c, MakeOptimizer("sgd", c)));
        Assert.Contains("no optimizer state", e.Message);
        Assert.Equal(before, c.Weight.Data); // nothing loaded on failure
    }

    [Fact]
    public void Load_ReportsMissingUnexpectedAndMismatchedTensorsByName_AndChangesNothing()
    {
        using var dir = new TempFolder();
        var path = dir.File("other.safetensors");
        SafetensorsFile.Write(path, new[]
        {
            ("weight", Tensor.Zeros(3, 5)),           // wrong shape
            ("head.shift", Tensor.Zeros(3, 7)),       // fine
            ("head.extra", Tensor.Zeros(2)),          // unexpected
        });                                           // head.running_mean missing
        var net = new TinyNet(SeededRandom.Create(1));
        var before = net.StateDict().Select(x => (float[])x.Tensor.Data.Clone()).ToList();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, net));
        Assert.Equal(new[] { "head.running_mean" }, e.Missing);
        Assert.Equal(new[] { "head.extra" }, e.Unexpected);
        Assert.Equal(new[] { "weight: file (3, 5) vs model (3, 7)" }, e.ShapeMismatches);
        Assert.Contains(path, e.Message);
        Assert.Contains("head.running_mean", e.Message);
        Assert.Equal(before, net.StateDict().Select(x => x.Tensor.Data).ToList());
    }

    [Fact]
    public void Load_IntoAnotherOptimizerType_IsRefusedNamingTheFile()
    {
        using var dir = new TempFolder();
        var path = dir.File("ckpt.safetensors");
        var a = new TinyNet(SeededRandom.Create(1));
        var optA = MakeOptimizer("adamw", a);
        var batch = Batches(1)[0];
        TrainStep(a, optA, batch.X, batch.T, 0.01f);
        Checkpoint.Save(path, a, optA, step: 1);
        var b = new TinyNet(SeededRandom.Create(2));
        var before = (float[])b.Weight.Data.Clone();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, b, MakeOptimizer("sgd", b)));
        Assert.Contains(path, e.Message);
        Assert.Contains("'AdamW'", e.Message);
        Assert.Equal(before, b.Weight.Data);
    }

    [Fact]
    public void Save_RejectsReservedMetadataKeys()
    {
        using var dir = new TempFolder();
        var net = new TinyNet(SeededRandom.Create(1));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(dir.File("x.safetensors"), net, metadata: new Dictionary<string, string> { ["aecofa.step"] = "5" }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CorruptCheckpoint_IsReportedAsCorrupt()
    {
        using var dir = new TempFolder();
        var path = dir.File("ckpt.safetensors");
        var net = new TinyNet(SeededRandom.Create(1));
        Checkpoint.Save(path, net, MakeOptimizer("sgd", net), step: 0);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.Load(path, net));
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void Load_RefusesAnotherCheckpointFormatVersion()
    {
        using var dir = new TempFolder();
        var path = dir.File("future.safetensors");
        var net = new TinyNet(SeededRandom.Create(1));
        SafetensorsFile.Write(path, net.StateDict(), new Dictionary<string, string> { [Checkpoint.FormatKey] = "aecofa-checkpoint-2" });
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, net));
        Assert.Contains("'aecofa-checkpoint-2'", e.Message);
    }
}
