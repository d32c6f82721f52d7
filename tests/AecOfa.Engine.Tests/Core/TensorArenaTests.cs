using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests.Core;

public class TensorArenaTests
{
    /// <summary>A tiny conv net with every op kind of the reference subnets' step (odd sizes).</summary>
    private static (Sequential Net, Sgd Opt, Tensor X, Tensor Y) Build()
    {
        var rng = new Random(7);
        var net = new Sequential(
            new Conv2d(1, 5, 3, rng, stride: 2), new BatchNorm2d(5), new HardSwish(),
            new Conv2d(5, 5, 3, rng, groups: 5), new BatchNorm2d(5), new ReLU(),
            new Conv2d(5, 7, 1, rng), new BatchNorm2d(7), new HardSwish(),
            new GlobalAvgPool2d(), new Linear(7, 3, rng), new Dropout(0.2f, new Random(3)));
        var opt = new Sgd(net.NamedParameters(), 0.05f, momentum: 0.9f, nesterov: true);
        var x = Tensor.Randn(rng, 1f, 3, 1, 9, 11);
        var y = Tensor.Zeros(3, 3);
        for (int i = 0; i < y.Numel; i++) y.Data[i] = rng.Next(2);
        return (net, opt, x, y);
    }

    private static float Step(Sequential net, Sgd opt, Tensor x, Tensor y)
    {
        opt.ZeroGrad();
        var loss = TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x), y);
        loss.Backward();
        opt.Step();
        return loss.Item();
    }

    [Fact]
    public void TrainingInsideArena_IsBitwiseEqualToPlainTraining_AndReusesEveryBufferWhenWarm()
    {
        var (netA, optA, xA, yA) = Build();
        var (netB, optB, xB, yB) = Build();
        var arena = new TensorArena();
        long allocatedAfterWarmUp = 0;
        for (int step = 0; step < 4; step++)
        {
            float la = Step(netA, optA, xA, yA);
            float lb;
            using (arena.Begin()) lb = Step(netB, optB, xB, yB);
            Assert.Equal(la, lb);
            if (step == 1) allocatedAfterWarmUp = arena.Allocated;
            foreach (var p in netB.Parameters()) Assert.Null(p.Grad); // leaf gradients do not outlive the scope
        }
        Assert.Equal(allocatedAfterWarmUp, arena.Allocated); // warm steps rent everything from the pool
        Assert.True(arena.Reused > 0);
        var pa = netA.Parameters().ToArray();
        var pb = netB.Parameters().ToArray();
        for (int i = 0; i < pa.Length; i++) Assert.Equal(pa[i].Data, pb[i].Data);
    }

    [Fact]
    public void TensorsFromAnEndedScope_ThrowOnRead_AndOutsideTensorsAreUntouched()
    {
        var arena = new TensorArena();
        var x = Tensor.Randn(new Random(1), 1f, 2, 3, 5, 7);
        var xCopy = (float[])x.Data.Clone();
        Tensor y, view;
        float kept;
        using (arena.Begin())
        {
            y = TensorOps.ReLU(x);
            view = TensorOps.Flatten(y);
            kept = y.Data[0];
        }
        Assert.True(y.IsReleased);
        var e = Assert.Throws<ObjectDisposedException>(() => y.Data);
        Assert.Contains("TensorArena", e.Message);
        Assert.Throws<ObjectDisposedException>(() => view.Span.Length);
        Assert.Equal(xCopy, x.Data);
        Assert.Equal(Math.Max(xCopy[0], 0f), kept);
        Assert.False(x.IsReleased);
    }

    [Fact]
    public void Scopes_DoNotNest_AndOutsideAScopeOpsAllocateNormally()
    {
        var arena = new TensorArena();
        using (arena.Begin())
        {
            Assert.Throws<InvalidOperationException>(() => new TensorArena().Begin());
        }
        var y = TensorOps.ReLU(Tensor.Full(2f, 3));
        Assert.Equal(0, arena.Allocated);
        Assert.False(y.IsReleased);
    }

    [Fact]
    public void BeginUnlessActive_LeavesAnActiveScopeInCharge()
    {
        var outer = new TensorArena();
        var inner = new TensorArena();
        Tensor y;
        using (outer.Begin())
        {
            using (inner.BeginUnlessActive()) y = TensorOps.ReLU(Tensor.Full(2f, 5));
            Assert.False(y.IsReleased); // the empty inner scope released nothing
        }
        Assert.True(y.IsReleased); // the outer scope owned it
        Assert.Equal(1, outer.Allocated);
        Assert.Equal(0, inner.Allocated);
        using (inner.BeginUnlessActive()) y = TensorOps.ReLU(Tensor.Full(2f, 5));
        Assert.True(y.IsReleased);
        Assert.Equal(1, inner.Allocated);
    }

    [Fact]
    public void ReleaseSince_GivesBackABlocksIntermediates_KeepsItsOutputAndViews_OnlyInNoGradScopes()
    {
        var arena = new TensorArena();
        var x = Tensor.Full(-1f, 3, 7);
        Assert.Equal(-1, TensorArena.InferenceMark()); // no scope
        using (arena.Begin())
        {
            Assert.Equal(-1, TensorArena.InferenceMark()); // gradients recorded: nothing may go
            using (GradMode.NoGrad())
            {
                var before = TensorOps.Add(x, x);
                int mark = TensorArena.InferenceMark();
                Assert.True(mark >= 0);
                var inner = TensorOps.Add(before, x);
                var output = TensorOps.ReLU(inner);
                var view = TensorOps.Flatten(output);
                TensorArena.ReleaseSince(mark, view); // keeping a view keeps the storage it shares
                Assert.True(inner.IsReleased);
                Assert.False(output.IsReleased);
                Assert.False(view.IsReleased);
                Assert.False(before.IsReleased); // handed out before the mark
                Assert.Equal(0f, output.Data[0]);
                long allocated = arena.Allocated;
                var next = TensorOps.Add(output, x); // same size as inner: served from the pool
                Assert.Equal(allocated, arena.Allocated);
                Assert.Equal(-1f, next.Data[20]);
                Assert.Throws<InvalidOperationException>(() => TensorArena.ReleaseSince(10_000, next));
            }
        }
    }

    [Fact]
    public void TrimTo_DropsTheSizesRentedLongestAgo_AndKeepsTheBound()
    {
        var arena = new TensorArena();
        void Pass(int length)
        {
            using (arena.Begin()) TensorOps.ReLU(Tensor.Full(1f, length));
        }
        Pass(7); Pass(33); Pass(3);
        Assert.Equal(7 + 33 + 3, arena.PooledFloats);
        arena.TrimTo(1000); // under the bound: nothing goes
        Assert.Equal(43, arena.PooledFloats);
        Pass(7); // 7 is now the most recent, 33 the oldest
        arena.TrimTo(12);
        Assert.Equal(7 + 3, arena.PooledFloats);
        long allocated = arena.Allocated;
        Pass(7); Pass(3);
        Assert.Equal(allocated, arena.Allocated); // the kept sizes are still served from the pool
        Pass(33);
        Assert.Equal(allocated + 1, arena.Allocated); // the dropped one is allocated again
        arena.TrimTo(0);
        Assert.Equal(0, arena.PooledFloats);
        Assert.Throws<ArgumentOutOfRangeException>(() => arena.TrimTo(-1));
        using (arena.Begin()) Assert.Throws<InvalidOperationException>(() => arena.TrimTo(0));
    }
}

/// <summary>Whole training steps give bitwise identical results on 1 and 2 threads (every kernel splits without
/// changing any element's arithmetic). Sets the global WorkerPool.MaxThreads, so it runs alone.</summary>
[Collection(nameof(WorkerPoolExclusiveCollection))]
public class ThreadCountDeterminismTests
{
    [Fact]
    public void TrainingSteps_AreBitwiseEqual_OnOneAndTwoThreads()
    {
        float[][] Train(int threads)
        {
            int saved = AecOfa.Engine.Kernels.WorkerPool.MaxThreads;
            AecOfa.Engine.Kernels.WorkerPool.MaxThreads = threads;
            try
            {
                var rng = new Random(5);
                // Batch 33; 17x21, 9x11 and 5x6 maps: the per-clip (>= 64 positions) and batched (< 64) 1x1 paths,
                // depthwise, BN (+ fused act, above the parallel threshold at 32 channels) and pooling all run.
                var net = new Sequential(
                    new Conv2d(1, 16, 3, rng, stride: 2), new BatchNorm2d(16, activation: AecOfa.Engine.Kernels.FusedActivation.HardSwish),
                    new Conv2d(16, 32, 1, rng), new BatchNorm2d(32, activation: AecOfa.Engine.Kernels.FusedActivation.ReLU),
                    new Conv2d(32, 32, 3, rng, stride: 2, groups: 32), new BatchNorm2d(32),
                    new Conv2d(32, 32, 3, rng, stride: 2, groups: 32), new BatchNorm2d(32),
                    new Conv2d(32, 24, 1, rng), new BatchNorm2d(24, activation: AecOfa.Engine.Kernels.FusedActivation.HardSwish),
                    new GlobalAvgPool2d(), new Linear(24, 5, rng));
                var opt = new Sgd(net.NamedParameters(), 0.05f, momentum: 0.9f, nesterov: true);
                var x = Tensor.Randn(rng, 1f, 33, 1, 33, 41);
                var y = Tensor.Zeros(33, 5);
                for (int i = 0; i < y.Numel; i++) y.Data[i] = rng.Next(2);
                var arena = new TensorArena();
                for (int step = 0; step < 2; step++)
                    using (arena.Begin())
                    {
                        opt.ZeroGrad();
                        TensorOps.BinaryCrossEntropyWithLogits(net.Forward(x), y).Backward();
                        opt.Step();
                    }
                return net.Parameters().Select(p => (float[])p.Data.Clone()).ToArray();
            }
            finally
            {
                AecOfa.Engine.Kernels.WorkerPool.MaxThreads = saved;
            }
        }
        var one = Train(1);
        var two = Train(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }
}
