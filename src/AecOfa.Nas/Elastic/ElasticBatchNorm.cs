using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// Batch norm over NCHW whose scale, shift and running statistics are stored once for the largest channel count;
/// a forward on C channels uses the first C of each (OFA's DynamicBatchNorm2d). Gradients land in the first C
/// entries of gamma and beta only.
/// Modes: training (batch statistics; the first C running statistics get PyTorch's momentum update, the rest are
/// untouched), eval (the first C running statistics), and recalibration, which takes its accumulator as an
/// argument (<see cref="ForwardRecalibrate"/>) so that no hidden flag decides how statistics are gathered.
/// </summary>
public sealed class ElasticBatchNorm : Module
{
    public ElasticBatchNorm(int maxChannels, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (maxChannels < 1) throw new ArgumentOutOfRangeException(nameof(maxChannels), maxChannels, "must be >= 1");
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "must be >= 0");
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be in [0, 1]");
        MaxChannels = maxChannels;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", new Parameter(Enumerable.Repeat(1f, maxChannels).ToArray(), [maxChannels], noWeightDecay: true));
        Bias = RegisterParameter("bias", Parameter.Zeros([maxChannels], noWeightDecay: true));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(maxChannels));
        RunningVar = RegisterBuffer("running_var", Tensor.Full(1f, maxChannels));
    }

    public int MaxChannels { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    /// <summary>
    /// Training or eval by the module's mode, followed by <paramref name="activation"/> in the same element pass (the
    /// engine's fused BN + activation); the channel count is read from x (N, C ≤ MaxChannels, H, W).
    /// </summary>
    public Tensor Forward(Tensor x, FusedActivation activation = FusedActivation.None)
    {
        int c = Channels(x);
        var gamma = TensorOps.Slice(Weight, 0, 0, c);
        var beta = TensorOps.Slice(Bias, 0, 0, c);
        if (!x.IsOnCpu)
        {
            // On an accelerator the running statistics stay there: prefix slices and an in-place update kernel.
            if (IsTraining) return TensorOps.BatchNorm2dTrain(x, gamma, beta, Eps, activation, RunningMean, RunningVar, Momentum);
            return TensorOps.BatchNorm2dEval(x, gamma, beta, TensorOps.Slice(RunningMean, 0, 0, c), TensorOps.Slice(RunningVar, 0, 0, c), Eps, activation);
        }
        if (!IsTraining)
        {
            var mean = Tensor.FromArray(RunningMean.Span[..c].ToArray(), c);
            var variance = Tensor.FromArray(RunningVar.Span[..c].ToArray(), c);
            return TensorOps.BatchNorm2dEval(x, gamma, beta, mean, variance, Eps, activation);
        }
        // Concurrent tasks of one step (DeferredWrites) each bring their own statistics buffers and queue the update.
        var (batchMean, batchM2) = DeferredWrites.Current?.StatisticsBuffers(c) ?? StatisticsBuffers(c);
        var y = TensorOps.BatchNorm2dTrain(x, gamma, beta, Eps, batchMean, batchM2, activation);
        DeferredWrites.UpdateRunning(x.Numel / c, batchMean, batchM2, RunningMean, RunningVar, c, Momentum);
        return y;
    }

    /// <summary>
    /// Recalibration forward for one sub-network: normalizes with the batch's statistics (as in training), applies
    /// <paramref name="activation"/> in the same pass, and adds the statistics to <paramref name="accumulator"/> (which
    /// must have exactly C channels); running statistics untouched.
    /// </summary>
    public Tensor ForwardRecalibrate(Tensor x, BatchNormStatsAccumulator accumulator, FusedActivation activation = FusedActivation.None)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        int c = Channels(x);
        if (accumulator.Channels != c)
            throw new ArgumentException($"ElasticBatchNorm: accumulator has {accumulator.Channels} channels, x has {c}", nameof(accumulator));
        var (batchMean, batchM2) = StatisticsBuffers(c);
        var y = TensorOps.BatchNorm2dTrain(x, TensorOps.Slice(Weight, 0, 0, c), TensorOps.Slice(Bias, 0, 0, c), Eps, batchMean, batchM2, activation);
        accumulator.Add(new BatchNormBatchStats(x.Numel / c, batchMean, batchM2));
        return y;
    }

    /// <summary>Writes the accumulated exact statistics into the first accumulator.Channels running statistics.</summary>
    public void LoadRunningStatistics(BatchNormStatsAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        if (accumulator.Channels > MaxChannels)
            throw new ArgumentException($"ElasticBatchNorm: accumulator has {accumulator.Channels} channels, the layer at most {MaxChannels}", nameof(accumulator));
        if (RunningMean.IsOnCpu && RunningVar.IsOnCpu)
        {
            accumulator.CopyTo(RunningMean.Span[..accumulator.Channels], RunningVar.Span[..accumulator.Channels]);
            return;
        }
        var mean = new float[accumulator.Channels];
        var variance = new float[accumulator.Channels];
        accumulator.CopyTo(mean, variance);
        RunningMean.CopyFrom(mean, 0);
        RunningVar.CopyFrom(variance, 0);
    }

    // The engine wants mean/M2 buffers of exactly C elements; one pair per width this layer has seen, so training
    // steps allocate no statistics arrays. They are consumed (running update or accumulator) before Forward returns.
    private readonly Dictionary<int, (double[] Mean, double[] M2)> _statisticsBuffers = [];

    private (double[] Mean, double[] M2) StatisticsBuffers(int channels)
    {
        if (!_statisticsBuffers.TryGetValue(channels, out var buffers))
        {
            buffers = (new double[channels], new double[channels]);
            _statisticsBuffers.Add(channels, buffers);
        }
        return buffers;
    }

    private int Channels(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"ElasticBatchNorm: x must be (N, C, H, W), got rank {x.Rank}", nameof(x));
        int c = x.Shape[1];
        if (c > MaxChannels) throw new ArgumentException($"ElasticBatchNorm: x has {c} channels, the layer at most {MaxChannels}", nameof(x));
        return c;
    }
}
