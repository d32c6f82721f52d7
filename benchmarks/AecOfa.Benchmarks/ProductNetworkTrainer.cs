using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Benchmarks;

/// <summary>
/// The training step of the CPU-speed issue (<see cref="BceTrainingStep"/>: same batch, loss and optimizer as the
/// port) on the product's own networks for a reference subnet: the default <see cref="ArchSpace"/> (1x64x100, 10
/// classes) with the subnet's uniform depth/kernel/expand, either as the extracted static network or as the supernet
/// forward with that configuration (all supernet parameters in the optimizer, as Nas/Training/Trainer has them).
/// </summary>
public sealed class ProductNetworkTrainer
{
    public ProductNetworkTrainer(ReferenceSubnetSpec spec, ProductNetwork network, int batch = 32, int seed = 0, bool useArena = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var space = ArchSpace.Default;
        Config = spec.ToArchConfig(space);
        // The default space must give exactly the reference network, or the comparison with the port is meaningless.
        var cost = new FlopsCounter(space).Count(Config);
        if (cost.Macs != spec.ExpectedMacs || cost.Params != spec.ExpectedParameters)
            throw new InvalidOperationException($"Default space at {Config}: {cost.Macs} MACs and {cost.Params} parameters, the reference subnet '{spec.Name}' {spec.ExpectedMacs} and {spec.ExpectedParameters}.");
        var rng = new Random(seed);
        var supernet = new OfaSupernet(space, seed);
        var dropout = new Random(seed + 1); // the caller-owned dropout stream (as the Trainer derives one per step)
        if (network == ProductNetwork.Static)
        {
            var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, Config);
            if (net.ParameterCount() != spec.ExpectedParameters)
                throw new InvalidOperationException($"Extracted network for '{spec.Name}' has {net.ParameterCount()} parameters, expected {spec.ExpectedParameters}.");
            Net = net;
            Training = new BceTrainingStep(net, x => net.Forward(x, dropout: dropout), rng, batch, useArena);
        }
        else
        {
            Net = supernet;
            Training = new BceTrainingStep(supernet, x => supernet.Forward(x, Config, dropout), rng, batch, useArena);
        }
        Network = network;
    }

    public ProductNetwork Network { get; }
    public ArchConfig Config { get; }
    public Module Net { get; }
    public BceTrainingStep Training { get; }
    public int Batch => Training.Batch;

    /// <summary>One training step; returns the loss.</summary>
    public float Step() => Training.Step();

    /// <summary>A training step timed by phase and by op.</summary>
    public float ProfiledStep(OpProfiler profiler) => Training.ProfiledStep(profiler);
}
