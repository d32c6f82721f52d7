using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Core;

public class DeferredWritesTests
{
    private static Parameter Weight(int seed, int rows, int cols) => new(Tensor.Randn(new Random(seed), 1f, rows, cols).Data, [rows, cols]);

    // Two uses of the same weight in one task: its gradient gets two contributions (the case where summing per task
    // first and adding into the shared gradient differs from adding every contribution straight in).
    private static void Task(Parameter w, Tensor x)
    {
        var y = TensorOps.MatMul(x, w);
        TensorOps.Mean(TensorOps.Add(TensorOps.Mul(y, y), TensorOps.MatMul(x, TensorOps.Slice(w, 0, 0, w.Shape[0])))).Backward();
    }

    [Fact]
    public void Leaf_gradients_go_to_the_private_buffer_and_commit_adds_them_in()
    {
        var w = Weight(1, 3, 7);
        var x1 = Tensor.Randn(new Random(2), 1f, 5, 3);
        var x2 = Tensor.Randn(new Random(3), 1f, 5, 3);

        // Reference: each task's gradient alone, then their sum in task order.
        Task(w, x1);
        var g1 = w.Grad!.Data.ToArray();
        w.ZeroGrad();
        Task(w, x2);
        var g2 = w.Grad!.Data.ToArray();
        w.ZeroGrad();

        var writes = new DeferredWrites();
        Task(w, x1); // the first task writes directly
        using (writes.Activate()) Task(w, x2);
        Assert.Equal(g1, w.Grad!.Data); // untouched until the commit
        Assert.Equal(1, writes.PendingGradients);
        writes.Commit();
        Assert.Equal(0, writes.PendingGradients);
        var expected = g1.Zip(g2, (a, b) => a + b).ToArray();
        Assert.Equal(expected, w.Grad!.Data);

        // A second round starts from zero (no stale values from the first).
        w.ZeroGrad();
        using (writes.Activate()) Task(w, x2);
        writes.Commit();
        Assert.Equal(g2, w.Grad!.Data);
    }

    [Fact]
    public void Tasks_on_two_threads_committed_in_order_give_the_bits_of_one_thread()
    {
        var w = Weight(4, 33, 7);
        var xs = Enumerable.Range(0, 3).Select(i => Tensor.Randn(new Random(10 + i), 1f, 9, 33)).ToArray();
        var sequential = new[] { new DeferredWrites(), new DeferredWrites() };
        Task(w, xs[0]);
        for (int i = 1; i < 3; i++)
            using (sequential[i - 1].Activate()) Task(w, xs[i]);
        foreach (var s in sequential) s.Commit();
        var oneThread = w.Grad!.Data.ToArray();

        w.ZeroGrad();
        var concurrent = new[] { new DeferredWrites(), new DeferredWrites() };
        var workers = Enumerable.Range(1, 2).Select(i => new Thread(() =>
        {
            using (concurrent[i - 1].Activate()) Task(w, xs[i]);
        })).ToArray();
        foreach (var t in workers) t.Start();
        Task(w, xs[0]);
        foreach (var t in workers) t.Join();
        foreach (var c in concurrent) c.Commit();
        Assert.Equal(oneThread, w.Grad!.Data);
    }

    [Fact]
    public void Committing_in_one_pass_gives_the_bits_of_successive_commits()
    {
        // Leaves of odd sizes (one spans several of the pass's blocks), touched by some objects and not others.
        var big = Weight(7, 33, 71);
        var small = Weight(8, 3, 7);
        var bn = new BatchNorm2d(3);
        var xs = Enumerable.Range(0, 3).Select(i => Tensor.Randn(new Random(30 + i), 1f, 9, 33)).ToArray();
        var xSmall = Tensor.Randn(new Random(40), 1f, 5, 3);
        var batch = Tensor.Randn(new Random(41), 1f, 2, 3, 1, 7);
        (float[] Big, float[] Small, float[] Mean) Round(Action<DeferredWrites[]> commit)
        {
            big.ZeroGrad();
            small.ZeroGrad();
            var writes = new[] { new DeferredWrites(), new DeferredWrites(), new DeferredWrites() };
            using (writes[0].Activate()) { Task(big, xs[0]); bn.Forward(batch); }
            using (writes[1].Activate()) Task(small, xSmall);
            using (writes[2].Activate()) { Task(big, xs[2]); Task(small, xSmall); bn.Forward(batch); }
            commit(writes);
            return (big.Grad!.Data.ToArray(), small.Grad!.Data.ToArray(), bn.RunningMean.Data.ToArray());
        }
        var (bigOne, smallOne, meanOne) = Round(w => { foreach (var x in w) x.Commit(); });
        bn.RunningMean.Span.Clear();
        bn.RunningVar.Span.Fill(1f);
        var (bigAll, smallAll, meanAll) = Round(w => DeferredWrites.CommitInOrder(w));
        Assert.Equal(bigOne, bigAll);
        Assert.Equal(smallOne, smallAll);
        Assert.Equal(meanOne, meanAll);
    }

    [Fact]
    public void Batch_norm_running_updates_wait_for_the_commit_and_then_apply_in_order()
    {
        var direct = new BatchNorm2d(3);
        var deferred = new BatchNorm2d(3);
        var batches = Enumerable.Range(0, 2).Select(i => Tensor.Randn(new Random(20 + i), 1f, 2, 3, 1, 7)).ToArray();
        foreach (var b in batches) direct.Forward(b);

        var writes = new DeferredWrites();
        using (writes.Activate())
            foreach (var b in batches) deferred.Forward(b);
        Assert.Equal(new float[3], deferred.RunningMean.Data); // nothing yet
        Assert.Equal(2, writes.PendingRunningUpdates);
        writes.Commit();
        Assert.Equal(direct.RunningMean.Data, deferred.RunningMean.Data);
        Assert.Equal(direct.RunningVar.Data, deferred.RunningVar.Data);
    }

    [Fact]
    public void Discard_drops_everything_pending()
    {
        var w = Weight(5, 3, 1);
        var bn = new BatchNorm2d(3);
        var writes = new DeferredWrites();
        using (writes.Activate())
        {
            Task(w, Tensor.Randn(new Random(6), 1f, 2, 3));
            bn.Forward(Tensor.Randn(new Random(7), 1f, 2, 3, 1, 1));
        }
        writes.Discard();
        writes.Commit();
        Assert.Null(w.Grad);
        Assert.Equal(new float[3], bn.RunningMean.Data);
    }

    [Fact]
    public void Misuse_is_a_clear_error()
    {
        var a = new DeferredWrites();
        var b = new DeferredWrites();
        using (a.Activate())
        {
            Assert.Contains("do not nest", Assert.Throws<InvalidOperationException>(() => b.Activate()).Message);
            Assert.Contains("close", Assert.Throws<InvalidOperationException>(() => a.Commit()).Message);
            Assert.Contains("close", Assert.Throws<InvalidOperationException>(() => b.Commit()).Message);
        }
        Assert.Null(DeferredWrites.Current);
    }
}
