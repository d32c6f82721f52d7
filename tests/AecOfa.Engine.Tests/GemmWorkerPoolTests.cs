using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests;

[Collection(nameof(WorkerPoolExclusiveCollection))]
public class GemmWorkerPoolTests
{
    /// <summary>Marks every index it is given; a second visit of an index shows up as a 2.</summary>
    private struct MarkBody : IRangeBody
    {
        public int[] Hits;
        public int[] RangeStarts;

        public readonly void Invoke(int begin, int end)
        {
            Interlocked.Increment(ref RangeStarts[begin]);
            for (int i = begin; i < end; i++) Interlocked.Increment(ref Hits[i]);
        }
    }

    private struct ThrowBody : IRangeBody
    {
        public int ThrowAt;

        public readonly void Invoke(int begin, int end)
        {
            if (begin <= ThrowAt && ThrowAt < end) throw new InvalidOperationException($"range [{begin},{end}) failed");
        }
    }

    private struct NestedBody : IRangeBody
    {
        public int[] Hits;

        public readonly void Invoke(int begin, int end)
        {
            var inner = new MarkBody { Hits = Hits, RangeStarts = new int[Hits.Length] };
            for (int i = begin; i < end; i++) WorkerPool.For(Hits.Length, ref inner, 2); // runs inline: pool busy
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(7, 2)]
    [InlineData(7, 3)]
    [InlineData(100, 4)]
    public void For_CoversEachIndexOnce_InContiguousStaticRanges(int count, int threads)
    {
        var body = new MarkBody { Hits = new int[count], RangeStarts = new int[count] };
        WorkerPool.For(count, ref body, threads);
        Assert.All(body.Hits, h => Assert.Equal(1, h));
        int parts = Math.Min(count, threads);
        for (int w = 0; w < parts; w++) Assert.Equal(1, body.RangeStarts[(int)((long)w * count / parts)]);
        Assert.Equal(parts, body.RangeStarts.Sum());
    }

    [Theory]
    [InlineData(0)] // thrown on the caller's own range
    [InlineData(9)] // thrown on a worker's range
    public void For_ExceptionInAnyRange_ReachesTheCaller(int throwAt)
    {
        var body = new ThrowBody { ThrowAt = throwAt };
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.For(10, ref body, 2));
        Assert.Contains("failed", e.Message);
        // The pool is usable again afterwards.
        var mark = new MarkBody { Hits = new int[10], RangeStarts = new int[10] };
        WorkerPool.For(10, ref mark, 2);
        Assert.All(mark.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void For_NestedCall_RunsInlineAndCompletes()
    {
        var body = new NestedBody { Hits = new int[5] };
        WorkerPool.For(4, ref body, 2);
        Assert.All(body.Hits, h => Assert.Equal(4, h));
    }

    [Fact]
    public void For_ZeroCount_DoesNothing_NegativeThrows()
    {
        var body = new MarkBody { Hits = [], RangeStarts = [] };
        WorkerPool.For(0, ref body, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.For(-1, ref body, 2));
    }

    [Fact]
    public void MaxThreads_RejectsZero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.MaxThreads = 0);
        Assert.True(WorkerPool.MaxThreads >= 1);
    }

    [Fact]
    public void CallingThreadLimit_CapsOnlyTheCallingThread_AndNeverRaisesThePoolLimit()
    {
        int saved = WorkerPool.MaxThreads;
        try
        {
            WorkerPool.MaxThreads = 3;
            WorkerPool.CallingThreadLimit = 1;
            Assert.Equal(1, WorkerPool.MaxThreads);
            int seenElsewhere = 0;
            var other = new Thread(() => seenElsewhere = WorkerPool.MaxThreads);
            other.Start();
            other.Join();
            Assert.Equal(3, seenElsewhere); // another thread keeps the process-wide limit
            WorkerPool.CallingThreadLimit = 8;
            Assert.Equal(3, WorkerPool.MaxThreads); // a cap, not a raise
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.CallingThreadLimit = -1);
            WorkerPool.CallingThreadLimit = 0;
            Assert.Equal(3, WorkerPool.MaxThreads);
        }
        finally
        {
            WorkerPool.CallingThreadLimit = 0;
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void For_SteadyState_AllocatesNothingOnTheCaller()
    {
        var body = new MarkBody { Hits = new int[64], RangeStarts = new int[64] };
        // Best of several trials: the runtime may allocate once in a while; a per-call allocation fails every trial.
        long best = long.MaxValue;
        for (int trial = 0; trial < 5; trial++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) WorkerPool.For(64, ref body, 2);
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, best);
    }
}
