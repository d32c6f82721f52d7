using AecOfa.Engine.Ops.Device;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>
/// Batch norm over NCHW channels with PyTorch semantics: gamma ("weight", 1) and beta ("bias", 0) without weight
/// decay, buffers "running_mean" (0) and "running_var" (1), momentum 0.1, eps 1e-5.
/// Three modes: training (batch statistics; running stats updated with momentum and the unbiased variance),
/// eval (running statistics), and recalibration (batch statistics, fed to an explicit
/// <see cref="BatchNormStatsAccumulator"/>; running stats untouched until <see cref="LoadRunningStatistics"/>).
/// </summary>
public sealed class BatchNorm2d : Module, ILayer
{
    /// <param name="channels">Number of channels (C of an (N, C, H, W) input).</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="momentum">Weight of the new batch's statistics in the running statistics.</param>
    /// <param name="activation">An activation applied after the normalization (in training mode fused into the same
    /// element pass: no intermediate tensor); None for a plain batch norm. It has no parameters, so names and checkpoints
    /// are those of a plain BatchNorm2d.</param>
    public BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f, FusedActivation activation = FusedActivation.None)
    {
        if (!Enum.IsDefined(activation)) throw new ArgumentException($"BatchNorm2d: unknown activation {activation}.", nameof(activation));
        Activation = activation;
        if (channels < 1) throw new ArgumentException($"BatchNorm2d: channels must be >= 1, got {channels}.", nameof(channels));
        if (!(eps >= 0f)) throw new ArgumentException($"BatchNorm2d: eps must be >= 0, got {eps}.", nameof(eps));
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentException($"BatchNorm2d: momentum must be in [0, 1], got {momentum}.", nameof(momentum));
        Channels = channels;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", new Parameter(Enumerable.Repeat(1f, channels).ToArray(), new[] { channels }, noWeightDecay: true));
        Bias = RegisterParameter("bias", Parameter.Zeros(new[] { channels }, noWeightDecay: true));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(channels));
        RunningVar = RegisterBuffer("running_var", Tensor.Full(1f, channels));
        _batchMean = new double[channels];
        _batchM2 = new double[channels];
    }

    private readonly double[] _batchMean, _batchM2;

    public int Channels { get; }
    public FusedActivation Activation { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    /// <summary>The accumulator this layer feeds in recalibration mode, or null.</summary>
    public BatchNormStatsAccumulator? Recalibration { get; private set; }

    /// <summary>Enters recalibration mode: each forward normalizes with its batch's statistics and adds them to <paramref name="accumulator"/>.</summary>
    public void AttachRecalibration(BatchNormStatsAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        if (accumulator.Channels != Channels)
            throw new ArgumentException($"BatchNorm2d.AttachRecalibration: accumulator has {accumulator.Channels} channels, the layer {Channels}.", nameof(accumulator));
        Recalibration = accumulator;
    }

    public void DetachRecalibration() => Recalibration = null;

    /// <summary>Mode by state: recalibration if an accumulator is attached, else training or eval.</summary>
    public Tensor Forward(Tensor x)
    {
        if (Recalibration is { } acc) return ForwardRecalibrate(x, acc);
        if (!IsTraining) return TensorOps.BatchNorm2dEval(x, Weight, Bias, RunningMean, RunningVar, Eps, Activation);
        if (!x.IsOnCpu)
        {
            // On a device the statistics stay there: the running update is a kernel, not a host round trip.
            var yd = DeviceOps.BatchNormTrain(x, Weight, Bias, Eps, Activation, out var stats);
            DeviceOps.UpdateRunning(stats, RunningMean, RunningVar, (long)x.Numel / Channels, Momentum);
            return yd;
        }
        // The batch statistics go into this layer's own buffers (no per-step arrays) and straight into the running
        // ones, or, for one of several concurrent tasks (DeferredWrites), into its buffers and its queue.
        var (mean, m2) = DeferredWrites.Current?.StatisticsBuffers(Channels) ?? (_batchMean, _batchM2);
        var y = TensorOps.BatchNorm2dTrain(x, Weight, Bias, Eps, mean, m2, Activation);
        DeferredWrites.UpdateRunning((long)x.Numel / Channels, mean, m2, RunningMean, RunningVar, Channels, Momentum);
        return y;
    }

    /// <summary>Recalibration forward with an explicit accumulator: batch statistics normalize and are accumulated.
    /// The activation is fused as in training, and the statistics pass through this layer's own buffers (the
    /// accumulator merges them at once).</summary>
    public Tensor ForwardRecalibrate(Tensor x, BatchNormStatsAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        var y = TensorOps.BatchNorm2dTrain(x, Weight, Bias, Eps, _batchMean, _batchM2, Activation);
        accumulator.Add(new BatchNormBatchStats((long)x.Numel / Channels, _batchMean, _batchM2));
        return y;
    }

    /// <summary>Copies the accumulated exact mean and population variance into the running buffers.</summary>
    public void LoadRunningStatistics(BatchNormStatsAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        if (RunningMean.IsOnCpu && RunningVar.IsOnCpu)
        {
            accumulator.CopyTo(RunningMean.Span, RunningVar.Span);
            return;
        }
        var mean = new float[Channels];
        var variance = new float[Channels];
        accumulator.CopyTo(mean, variance);
        RunningMean.CopyFrom(mean);
        RunningVar.CopyFrom(variance);
    }
}
