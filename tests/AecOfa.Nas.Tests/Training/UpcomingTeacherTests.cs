using System.Collections.Concurrent;
using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>
/// Lanes that run out of tasks compute the frozen teacher's logits for the next batch in chunks of clips
/// (UpcomingTeacherLogits): the chunks must give the bits of the whole batch, a failed chunk must void the result,
/// and training must not change by a bit whether the teacher ran ahead or not.
/// </summary>
[Collection(nameof(TrainerThreadsCollection))]
public class UpcomingTeacherTests
{
    /// <summary>A network that records the batch size of every forward and can fail on batches of one size.</summary>
    private sealed class RecordingNetwork(IArchNetwork inner) : IArchNetwork
    {
        public ConcurrentQueue<int> BatchSizes { get; } = new();
        public int? FailOnBatchOf { get; set; }
        public ArchSpace Space => inner.Space;
        public Module Module => inner.Module;
        public bool Contains(ArchConfig config) => inner.Contains(config);
        public string Describe() => inner.Describe();

        public Tensor Forward(Tensor x, ArchConfig config, Random? dropout = null)
        {
            BatchSizes.Enqueue(x.Shape[0]);
            if (x.Shape[0] == FailOnBatchOf) throw new InvalidOperationException("injected teacher failure");
            return inner.Forward(x, config, dropout);
        }
    }

    private static FrozenTeacher Teacher(out RecordingNetwork network)
    {
        network = new RecordingNetwork(TinySupernet.Build(11));
        return new FrozenTeacher(network, ArchConfig.Max(TinySupernet.Space));
    }

    [Theory]
    [InlineData(7, 4)]  // chunks of 2, 2, 2, 1
    [InlineData(1, 1)]  // one chunk of one clip
    [InlineData(5, 3)]  // 2, 2, 1
    [InlineData(33, 4)] // 9, 9, 9, 6
    public void Chunked_logits_have_the_bits_of_the_whole_batch(int clips, int expectedChunks)
    {
        var teacher = Teacher(out var network);
        var features = TinySupernet.Input(new Random(clips), clips);
        var whole = teacher.Logits(features).ToArray();
        var upcoming = new UpcomingTeacherLogits(teacher, features, TinySupernet.Space.Classes);
        Assert.Null(upcoming.Result); // nothing computed yet
        int chunks = 0;
        while (upcoming.TryRunChunk()) chunks++;
        Assert.Equal(expectedChunks, chunks);
        Assert.False(upcoming.TryRunChunk());
        var result = upcoming.Result;
        Assert.NotNull(result);
        Assert.Equal([clips, TinySupernet.Space.Classes], result.Shape);
        Assert.Equal(whole, result.ToArray()); // bit for bit: float equality, no tolerance
        Assert.Equal(1 + chunks, network.BatchSizes.Count); // the whole batch once, then one forward per chunk
        Assert.Equal(clips, network.BatchSizes.Skip(1).Sum());
    }

    [Fact]
    public void A_failed_chunk_voids_the_result_but_every_chunk_is_still_taken()
    {
        var teacher = Teacher(out var network);
        network.FailOnBatchOf = 1; // the last chunk of 7 clips (2, 2, 2, 1)
        var upcoming = new UpcomingTeacherLogits(teacher, TinySupernet.Input(new Random(3), 7), TinySupernet.Space.Classes);
        int chunks = 0;
        while (upcoming.TryRunChunk()) chunks++;
        Assert.Equal(4, chunks);
        Assert.Null(upcoming.Result);
    }

    private static (Dictionary<string, float[]> State, int[] TeacherBatches) Train(int threads, bool prefetch)
    {
        var net = TinySupernet.Build(3);
        var teacher = Teacher(out var teacherNetwork);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 4, Seed = 5, Threads = threads, PrefetchBatches = prefetch, CheckpointInterval = null };
        new Trainer(net, new SandwichStrategy(2, useFrozenTeacher: true), options, teacher).Run(new TrainingTestData(12, TinySupernet.Space.Classes, seed: 4));
        return (net.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray()), teacherNetwork.BatchSizes.ToArray());
    }

    [Fact]
    public void Training_has_the_same_bits_whether_idle_lanes_ran_the_teacher_ahead_or_not()
    {
        var (ahead, aheadBatches) = Train(threads: 2, prefetch: true);
        var (oneThread, oneThreadBatches) = Train(threads: 1, prefetch: true);
        var (noPrefetch, noPrefetchBatches) = Train(threads: 2, prefetch: false);

        // One thread, or no next batch to look at: the teacher runs once per step on the whole batch (2 epochs x 3 steps).
        Assert.Equal(Enumerable.Repeat(4, 6), oneThreadBatches);
        Assert.Equal(Enumerable.Repeat(4, 6), noPrefetchBatches);
        if (WorkerPool.MaxThreads >= 2)
        {
            // Concurrent lanes: steps 2 and 3 of each epoch get their logits from the step before, in 4 chunks of one clip
            // (the first step of an epoch has no step before it in that epoch: the prefetcher stops at the epoch's end).
            Assert.Equal(2, aheadBatches.Count(b => b == 4));
            Assert.Equal(4 * 4, aheadBatches.Count(b => b == 1));
        }
        foreach (var (name, values) in oneThread)
        {
            Assert.True(values.SequenceEqual(ahead[name]), $"{name} differs when the teacher ran ahead");
            Assert.True(values.SequenceEqual(noPrefetch[name]), $"{name} differs without prefetching");
        }
        Assert.Contains(oneThread.Keys, k => k.EndsWith("running_var", StringComparison.Ordinal));
    }
}
