using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Supernet;

/// <summary>Validation metrics of one sub-network, with the recalibration that preceded them.</summary>
public sealed record SubnetEvaluation(ArchConfig Config, ClassificationReport Report, int Examples, RecalibrationResult Recalibration);

/// <summary>
/// Evaluates sub-networks of a supernet on validation data. <see cref="Evaluate"/> ALWAYS recalibrates the BN
/// statistics of the config first (<see cref="BnRecalibrator"/>), then runs the supernet in eval mode without a tape
/// and scores the logits with <see cref="ClassificationMetrics"/> (mAP, mean AUC, d'). There is deliberately no
/// entry point that evaluates with whatever statistics the supernet holds: those describe another sub-network (or
/// the training mixture), which is the classic way to get meaningless OFA numbers. The supernet's train/eval mode is
/// restored afterwards; its running statistics keep the evaluated config's values.
/// </summary>
public sealed class SubnetEvaluator
{
    public const int DefaultBatchSize = 200;

    /// <summary>
    /// On the CPU a batch goes through the network in chunks of this many clips: eval-mode logits of a clip do not
    /// depend on the clips beside it (same bits), and a chunk's activations (a few MB per layer) stay in cache and are
    /// recycled chunk after chunk, where a 200-clip batch streams hundreds of MB of fresh memory.
    /// </summary>
    public const int CpuChunkClips = 32;

    /// <summary>Floats of recycled activation buffers kept between calls (default 64 M = 256 MiB; sizes used longest ago
    /// go first).</summary>
    public long RetainedFloats
    {
        get => _retainedFloats;
        init => _retainedFloats = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(RetainedFloats), value, "must be >= 0");
    }

    private readonly long _retainedFloats = 64L << 20;

    private readonly IArchNetwork _network;
    private readonly BnRecalibrator _recalibrator;
    private readonly TensorArena _arena = new();
    private readonly ILabeledBatches _validation;

    public SubnetEvaluator(OfaSupernet supernet, BnRecalibrator recalibrator, ILabeledBatches validation, int batchSize = DefaultBatchSize)
        : this((IArchNetwork)supernet, recalibrator, validation, batchSize)
    {
    }

    /// <summary>Evaluates any <see cref="IArchNetwork"/> (a fixed network only on its own config), always after exact
    /// BN recalibration.</summary>
    public SubnetEvaluator(IArchNetwork network, BnRecalibrator recalibrator, ILabeledBatches validation, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(recalibrator);
        ArgumentNullException.ThrowIfNull(validation);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be >= 1");
        _network = network;
        _recalibrator = recalibrator;
        _validation = validation;
        BatchSize = batchSize;
    }

    public int BatchSize { get; }

    public SubnetEvaluation Evaluate(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var recalibration = _recalibrator.Recalibrate(_network, config);
        int classes = _network.Space.Classes;
        var module = _network.Module;
        var scores = new List<float>();
        var targets = new List<float>();
        bool wasTraining = module.IsTraining;
        module.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            int batch = 0;
            foreach (var (features, target) in _validation.Batches(BatchSize))
            {
                ArgumentNullException.ThrowIfNull(features);
                ArgumentNullException.ThrowIfNull(target);
                if (target.Rank != 2 || target.Shape[0] != features.Shape[0] || target.Shape[1] != classes)
                    throw new InvalidOperationException(
                        $"SubnetEvaluator: validation batch {batch} has targets ({string.Join(", ", target.Shape)}) for {features.Shape[0]} examples; expected (N, {classes})");
                var device = _network.Module.Device;
                int clips = features.Shape[0], chunk = device.IsCpu ? CpuChunkClips : clips;
                for (int start = 0; start < clips; start += chunk)
                {
                    int count = Math.Min(chunk, clips - start);
                    using (_arena.BeginUnlessActive()) // a chunk's buffers are recycled for the next (scores are copied out)
                    {
                        var x = count == clips ? features : TensorOps.Slice(features, 0, start, count);
                        scores.AddRange(_network.Forward(x.ToDevice(device), config).ToArray());
                    }
                }
                targets.AddRange(target.Data);
                batch++;
            }
        }
        finally
        {
            if (wasTraining) module.Train();
            _arena.TrimTo(RetainedFloats);
        }
        if (scores.Count == 0) throw new InvalidOperationException("SubnetEvaluator: the validation data yielded no examples");
        var report = ClassificationMetrics.Evaluate(scores.ToArray(), targets.ToArray(), classes);
        return new SubnetEvaluation(config, report, scores.Count / classes, recalibration);
    }
}
