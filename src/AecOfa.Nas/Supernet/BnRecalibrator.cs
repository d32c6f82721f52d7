using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Supernet;

/// <summary>
/// Exact BN statistics for one sub-network (OFA's set_running_statistics, done exactly): over a fixed subset of
/// training features (default 2000 clips in batches of 200), without gradients, the sub-network runs with every
/// BN normalizing by its batch's statistics (as in training) while each BN's per-batch count, mean and M2 are merged
/// in float64 (Chan et al.), so each layer ends with the exact mean and population variance of everything it saw,
/// whatever the batch sizes. The results overwrite the first C running statistics of every BN the sub-network
/// reaches — the stem, first block and head BNs included — and nothing else.
/// </summary>
public sealed class BnRecalibrator
{
    // One scope per batch: the activations of a batch (hundreds of MB at 200 clips) are recycled for the next batch
    // and the next call, instead of being fresh GC memory every time (first-touch page faults cost more than the
    // forward on small VMs); the networks' block loops give each block's buffers back as the next block starts
    // (TensorArena.ReleaseSince). TrimTo bounds what stays pooled between calls.
    private readonly TensorArena _arena = new();

    public const int DefaultClips = 2000;
    public const int DefaultBatchSize = 200;

    /// <summary>
    /// Floats of recycled activation buffers kept between calls (default 256 M = 1 GiB; sizes used longest ago go
    /// first). A pool that holds the calls that alternate (the demo's validation: three sub-networks, 155 M floats at
    /// 200 clips per batch) is both faster and smaller than a tight one: dropped buffers become garbage the GC lets
    /// pile up (measured on the demo's supernet phase before blocks released their buffers: nothing kept -> peak RSS
    /// 11.3 GB, 1 GiB -> 5.7 GB, 2.4 GB -> 5.0 GB).
    /// </summary>
    public long RetainedFloats
    {
        get => _retainedFloats;
        init => _retainedFloats = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(RetainedFloats), value, "must be >= 0");
    }

    private readonly long _retainedFloats = 256L << 20;

    private readonly IFeatureBatches _data;

    public BnRecalibrator(IFeatureBatches data, int clips = DefaultClips, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (clips < 1) throw new ArgumentOutOfRangeException(nameof(clips), clips, "must be >= 1");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be >= 1");
        _data = data;
        Clips = clips;
        BatchSize = batchSize;
    }

    public int Clips { get; }
    public int BatchSize { get; }

    /// <summary>Recomputes the statistics of every BN slice <paramref name="config"/> uses; returns what was seen.</summary>
    public RecalibrationResult Recalibrate(OfaSupernet supernet, ArchConfig config) => Recalibrate(supernet, config, null);

    /// <summary>
    /// The same for any <see cref="IArchNetwork"/>: the supernet's sliced BNs, or every <see cref="BatchNorm2d"/> of a
    /// fixed network (a standalone or distilled baseline gets exactly the same treatment as an inherited sub-network,
    /// so their comparison does not hinge on momentum-averaged running statistics).
    /// </summary>
    public RecalibrationResult Recalibrate(IArchNetwork network, ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        if (network is OfaSupernet supernet) return Recalibrate(supernet, config, null);
        if (!network.Contains(config))
            throw new ArgumentException($"BnRecalibrator: {network.Describe()} cannot run {config}.", nameof(config));
        var layers = BatchNorms(network.Module).ToList();
        var accumulators = layers.Select(bn => new BatchNormStatsAccumulator(bn.Channels)).ToList();
        for (int i = 0; i < layers.Count; i++) layers[i].AttachRecalibration(accumulators[i]);
        int clips = 0, batches = 0;
        try
        {
            using (GradMode.NoGrad())
            {
                foreach (var batch in _data.Batches(Clips, BatchSize))
                {
                    if (clips >= Clips) break;
                    var x = batch ?? throw new InvalidOperationException($"BnRecalibrator: the data source yielded a null batch (batch {batches})");
                    if (clips + x.Shape[0] > Clips) x = TensorOps.Slice(x, 0, 0, Clips - clips);
                    using (_arena.BeginUnlessActive()) // recalibration runs where the network lives
                        network.Forward(x.ToDevice(network.Module.Device), config);
                    clips += x.Shape[0];
                    batches++;
                }
            }
        }
        finally
        {
            foreach (var bn in layers) bn.DetachRecalibration();
            _arena.TrimTo(RetainedFloats);
        }
        if (clips == 0) throw new InvalidOperationException("BnRecalibrator: the data source yielded no clips; BN statistics were left unchanged");
        for (int i = 0; i < layers.Count; i++)
            if (accumulators[i].Count > 0) layers[i].LoadRunningStatistics(accumulators[i]);
        return new RecalibrationResult(config, clips, batches, layers.Count);
    }

    private static IEnumerable<BatchNorm2d> BatchNorms(Module module)
    {
        if (module is BatchNorm2d bn) yield return bn;
        foreach (var (_, child) in module.NamedChildren())
            foreach (var inner in BatchNorms(child)) yield return inner;
    }

    internal RecalibrationResult Recalibrate(OfaSupernet supernet, ArchConfig config, Action<Engine.Nn.Module, Tensor>? observe)
    {
        ArgumentNullException.ThrowIfNull(supernet);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(supernet.Space);
        var pass = new RecalibrationPass { Observe = observe };
        int clips = 0, batches = 0;
        using (GradMode.NoGrad())
        {
            foreach (var batch in _data.Batches(Clips, BatchSize))
            {
                if (clips >= Clips) break;
                var x = batch ?? throw new InvalidOperationException($"BnRecalibrator: the data source yielded a null batch (batch {batches})");
                if (x.Rank != 4 || x.Shape[0] < 1)
                    throw new InvalidOperationException($"BnRecalibrator: batch {batches} has shape ({string.Join(", ", x.Shape)}); expected (N, 1, mel bins, frames)");
                if (clips + x.Shape[0] > Clips) x = TensorOps.Slice(x, 0, 0, Clips - clips);
                using (_arena.BeginUnlessActive())
                    supernet.Features(x.ToDevice(supernet.Device), config, pass);
                clips += x.Shape[0];
                batches++;
            }
        }
        _arena.TrimTo(RetainedFloats);
        if (clips == 0) throw new InvalidOperationException("BnRecalibrator: the data source yielded no clips; BN statistics were left unchanged");
        pass.Commit();
        return new RecalibrationResult(config, clips, batches, pass.LayerCount);
    }
}

/// <summary>What one recalibration used: clips and batches read, and BN layers whose active slices were rewritten.</summary>
public sealed record RecalibrationResult(ArchConfig Config, int Clips, int Batches, int BatchNormLayers);
