using System.Collections.Concurrent;
using AecOfa.Engine.Kernels;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

[Collection(nameof(TrainerThreadsCollection))]
public class LaneThreadsTests
{
    [Fact]
    public void Runs_every_lane_on_its_own_thread_with_single_threaded_kernels()
    {
        var seen = new ConcurrentDictionary<int, (int Thread, int Limit)>();
        int callerLimit = WorkerPool.CallingThreadLimit;
        Assert.True(LaneThreads.TryRun(3, lane => seen[lane] = (Environment.CurrentManagedThreadId, WorkerPool.CallingThreadLimit)));
        Assert.Equal([0, 1, 2], seen.Keys.Order());
        Assert.Equal(Environment.CurrentManagedThreadId, seen[0].Thread); // lane 0 is the caller
        Assert.Equal(3, seen.Values.Select(v => v.Thread).Distinct().Count());
        Assert.All(seen.Values, v => Assert.Equal(1, v.Limit));
        Assert.Equal(callerLimit, WorkerPool.CallingThreadLimit); // restored on the caller
    }

    [Fact]
    public void A_nested_call_is_refused_and_a_lane_failure_comes_back_after_all_lanes_finished()
    {
        bool? nested = null;
        int finished = 0;
        var e = Assert.Throws<InvalidOperationException>(() => LaneThreads.TryRun(2, lane =>
        {
            if (lane == 0) nested = LaneThreads.TryRun(2, _ => { });
            if (lane == 1)
            {
                Thread.Sleep(20);
                Interlocked.Increment(ref finished);
                throw new InvalidOperationException("lane 1 failed");
            }
        }));
        Assert.Equal("lane 1 failed", e.Message);
        Assert.False(nested);
        Assert.Equal(1, finished);
        Assert.True(LaneThreads.TryRun(2, _ => { })); // usable again
    }
}
