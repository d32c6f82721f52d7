using AecOfa.Engine;
using AecOfa.Engine.Kernels;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Elastic;

/// <summary>
/// One BN-recalibration sweep of one sub-network, passed explicitly down a forward pass (instead of OFA's class-wide
/// SET_RUNNING_STATISTICS flag): every batch norm the forward reaches normalizes with its batch's statistics and adds
/// them to an accumulator of its own, sized to the channels it saw. <see cref="Commit"/> writes the exact statistics
/// into the (sliced) running buffers. BN layers the sub-network does not reach are untouched.
/// </summary>
internal sealed class RecalibrationPass
{
    private readonly Dictionary<Module, BatchNormStatsAccumulator> _accumulators = new(ReferenceEqualityComparer.Instance);
    private readonly List<Module> _order = [];

    /// <summary>Sees every BN input before normalization (tests compute reference statistics from it).</summary>
    public Action<Module, Tensor>? Observe { get; init; }

    /// <summary>BN layers reached so far.</summary>
    public int LayerCount => _order.Count;

    public Tensor Apply(ElasticBatchNorm bn, Tensor x, FusedActivation activation = FusedActivation.None)
    {
        Observe?.Invoke(bn, x);
        return bn.ForwardRecalibrate(x, Accumulator(bn, x.Shape[1]), activation);
    }

    public Tensor Apply(BatchNorm2d bn, Tensor x)
    {
        Observe?.Invoke(bn, x);
        return bn.ForwardRecalibrate(x, Accumulator(bn, x.Shape[1]));
    }

    /// <summary>Writes every accumulated mean and population variance into its layer's first C running statistics.</summary>
    public void Commit()
    {
        foreach (var bn in _order)
        {
            var acc = _accumulators[bn];
            switch (bn)
            {
                case ElasticBatchNorm e: e.LoadRunningStatistics(acc); break;
                case BatchNorm2d b: b.LoadRunningStatistics(acc); break;
            }
        }
    }

    private BatchNormStatsAccumulator Accumulator(Module bn, int channels)
    {
        if (_accumulators.TryGetValue(bn, out var acc))
        {
            if (acc.Channels != channels)
                throw new InvalidOperationException(
                    $"BN recalibration: a layer saw {acc.Channels} channels in an earlier batch and {channels} now; one sweep must run one sub-network.");
            return acc;
        }
        acc = new BatchNormStatsAccumulator(channels);
        _accumulators.Add(bn, acc);
        _order.Add(bn);
        return acc;
    }

    /// <summary>BN (+ fused activation) dispatch used by the elastic blocks: recalibration when a pass is given, else by mode.</summary>
    public static Tensor Normalize(ElasticBatchNorm bn, Tensor x, RecalibrationPass? pass, FusedActivation activation = FusedActivation.None)
        => pass is null ? bn.Forward(x, activation) : pass.Apply(bn, x, activation);

    /// <summary>The same for the supernet's fixed layers, whose activation is part of the layer (<see cref="BatchNorm2d.Activation"/>).</summary>
    public static Tensor Normalize(BatchNorm2d bn, Tensor x, RecalibrationPass? pass) => pass is null ? bn.Forward(x) : pass.Apply(bn, x);
}
