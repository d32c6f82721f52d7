using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

public class LearningRateScheduleTests
{
    [Fact]
    public void Cosine_WarmupPeakMiddleAndEnd()
    {
        var s = new CosineSchedule(peakLearningRate: 0.1f, totalSteps: 110, warmupSteps: 10);
        Assert.Equal(0.01f, s.LearningRate(0), 1e-7);  // (0 + 1) / 10 of the peak
        Assert.Equal(0.05f, s.LearningRate(4), 1e-7);
        Assert.Equal(0.1f, s.LearningRate(9), 1e-7);   // last warm-up step reaches the peak
        Assert.Equal(0.1f, s.LearningRate(10), 1e-7);  // cosine starts at the peak
        Assert.Equal(0.05f, s.LearningRate(60), 1e-7); // half-way through the cosine
        Assert.Equal(0.1f * 0.5f * (1f + MathF.Cos(MathF.PI * 0.25f)), s.LearningRate(35), 1e-6);
        Assert.Equal(0f, s.LearningRate(110), 1e-9);
        Assert.Equal(0f, s.LearningRate(1000), 1e-9);
        for (long t = 10; t < 110; t++) Assert.True(s.LearningRate(t + 1) <= s.LearningRate(t));
    }

    [Fact]
    public void Cosine_WithMinimumAndWarmupStart()
    {
        var s = new CosineSchedule(peakLearningRate: 1f, totalSteps: 20, warmupSteps: 4, minLearningRate: 0.2f, warmupStartLearningRate: 0.6f);
        Assert.Equal(0.7f, s.LearningRate(0), 1e-6);
        Assert.Equal(1f, s.LearningRate(3), 1e-6);
        Assert.Equal(0.6f, s.LearningRate(12), 1e-6);
        Assert.Equal(0.2f, s.LearningRate(20), 1e-6);
    }

    [Fact]
    public void Cosine_WithoutWarmup_StartsAtPeak_AndIsPure()
    {
        var s = new CosineSchedule(0.5f, totalSteps: 7);
        Assert.Equal(0.5f, s.LearningRate(0));
        Assert.Equal(s.LearningRate(3), new CosineSchedule(0.5f, totalSteps: 7).LearningRate(3));
    }

    [Fact]
    public void Constant_AndArgumentChecks()
    {
        Assert.Equal(0.3f, new ConstantSchedule(0.3f).LearningRate(12345));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1f, totalSteps: 10, warmupSteps: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1f, totalSteps: 10, minLearningRate: 0.2f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1f, totalSteps: 10).LearningRate(-1));
    }
}
