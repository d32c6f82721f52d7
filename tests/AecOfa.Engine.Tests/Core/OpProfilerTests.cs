using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Core;

public class OpProfilerTests
{
    [Fact]
    public void Profiler_CountsForwardAndBackwardCallsPerOp()
    {
        var x = Tensor.Randn(new Random(2), 1f, 2, 3, 5, 5);
        var w = Tensor.Randn(new Random(3), 1f, 4, 3, 1, 1);
        w.RequiresGrad = true;
        var profiler = new OpProfiler { Steps = 2 };
        using (profiler.Begin())
        {
            for (int i = 0; i < 2; i++)
            {
                profiler.Lap();
                var loss = TensorOps.Mean(TensorOps.ReLU(TensorOps.Conv2d(x, w)));
                loss.Backward();
                profiler.AddPhase("step", 1);
            }
        }
        string report = profiler.Report();
        Assert.Contains("Conv2d.Pointwise", report);
        Assert.Contains("ReLU", report);
        Assert.Contains("Mean", report);
        Assert.Contains("step", report);
        Assert.Contains("backward ops", report);
        // After the scope, nothing is recorded any more.
        profiler.Reset();
        TensorOps.ReLU(x);
        Assert.DoesNotContain("ReLU", profiler.Report());
    }
}
