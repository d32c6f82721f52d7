using AecOfa.Engine.IO;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

public sealed class TrainingResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrainerOptions Options(string checkpoint, bool resume = false, int seed = 9, TrainingOptimizer optimizer = TrainingOptimizer.SgdNesterov) => new()
    {
        Optimizer = optimizer,
        Epochs = 3,
        BatchSize = 4,
        Seed = seed,
        PeakLearningRate = 0.1f,
        WarmupEpochs = 1,
        CheckpointPath = checkpoint,
        Resume = resume,
    };

    private static OfaSupernet Build() => TinySupernet.Build(41); // dropout 0.1: masks must be reproduced too

    [Theory]
    [InlineData(TrainingOptimizer.SgdNesterov)]
    [InlineData(TrainingOptimizer.AdamW)]
    public void Resuming_after_an_interruption_gives_bitwise_the_uninterrupted_run(TrainingOptimizer optimizer)
    {
        var data = new TrainingTestData(10, TinySupernet.Space.Classes, seed: 8); // 2 steps per epoch (last 2 dropped)

        var full = Build();
        var uninterrupted = new Trainer(full, new SandwichStrategy(2), Options(Path.Combine(_dir, "a.safetensors"), optimizer: optimizer)).Run(data);
        Assert.Equal(6, uninterrupted.Steps.Count);
        Assert.Equal(3, uninterrupted.Epochs.Count);

        string path = Path.Combine(_dir, "b.safetensors");
        using var cts = new CancellationTokenSource();
        var first = new Trainer(Build(), new SandwichStrategy(2), Options(path, optimizer: optimizer));
        Assert.ThrowsAny<OperationCanceledException>(() => first.Run(data, new TrainingCallbacks { EpochCompleted = e => cts.Cancel() }, cts.Token));

        var resumedNet = Build(); // a fresh process: initial weights, nothing else carried over
        int reported = -1;
        var resumed = new Trainer(resumedNet, new SandwichStrategy(2), Options(path, resume: true, optimizer: optimizer))
            .Run(data, new TrainingCallbacks { Resumed = e => reported = e });
        Assert.Equal(1, resumed.ResumedFromEpoch);
        Assert.Equal(1, reported);
        Assert.Equal(4, resumed.Steps.Count);
        for (int i = 0; i < 4; i++)
        {
            var a = uninterrupted.Steps[i + 2];
            var b = resumed.Steps[i];
            Assert.Equal(a.Step, b.Step);
            Assert.Equal(a.LearningRate, b.LearningRate);
            Assert.Equal(a.Losses.Select(l => l.Loss), b.Losses.Select(l => l.Loss)); // bitwise
        }
        Assert.Equal(uninterrupted.Epochs.Select(e => e.MeanTotal), resumed.Epochs.Select(e => e.MeanTotal));
        var expected = full.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data);
        foreach (var (name, t) in resumedNet.StateDict()) Assert.Equal(expected[name], t.Data);
    }

    [Fact]
    public void Resume_refuses_a_checkpoint_of_another_run()
    {
        var data = new TrainingTestData(8, TinySupernet.Space.Classes, seed: 3);
        string path = Path.Combine(_dir, "c.safetensors");
        new Trainer(Build(), new FullNetworkStrategy(), Options(path) with { Epochs = 1 }).Run(data);
        var other = new Trainer(Build(), new FullNetworkStrategy(), Options(path, resume: true, seed: 10) with { Epochs = 1 });
        var e = Assert.Throws<CheckpointException>(() => other.Run(data));
        Assert.Contains("seed was '9', this run has '10'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Resume_without_a_checkpoint_starts_fresh_and_a_finished_run_trains_nothing_more()
    {
        var data = new TrainingTestData(8, TinySupernet.Space.Classes, seed: 4);
        string path = Path.Combine(_dir, "d.safetensors");
        var fresh = new Trainer(Build(), new FullNetworkStrategy(), Options(path, resume: true) with { Epochs = 1 }).Run(data);
        Assert.Equal(0, fresh.ResumedFromEpoch);
        Assert.Equal(2, fresh.Steps.Count);
        var again = new Trainer(Build(), new FullNetworkStrategy(), Options(path, resume: true) with { Epochs = 1 }).Run(data);
        Assert.Empty(again.Steps);
        Assert.Equal(fresh.Epochs.Select(e => e.MeanTotal), again.Epochs.Select(e => e.MeanTotal));
    }
}
