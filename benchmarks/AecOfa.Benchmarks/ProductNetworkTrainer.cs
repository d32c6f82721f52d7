using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Benchmarks;

/// <summary>
/// The training step of the CPU-speed issue (<see cref="BceTrainingStep"/>: same batch, loss and optimizer as the
/// port) on the product's own networks for a reference subnet: the default <see cref="ArchSpace"/> (1x64x100, 10
/// classes; or <see cref="ForShape"/>'s width and input, the peer's --width/--input) with the subnet's uniform
/// depth/kernel/expand, either as the extracted static network or as the supernet forward with that configuration
/// (all supernet parameters in the optimizer, as Nas/Training/Trainer has them).
/// </summary>
public sealed class ProductNetworkTrainer
{
    public ProductNetworkTrainer(ReferenceSubnetSpec spec, ProductNetwork network, int batch = 32, int seed = 0, bool useArena = true, ArchSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        space ??= ArchSpace.Default;
        Config = spec.ToArchConfig(space);
        var cost = new FlopsCounter(space).Count(Config);
        Macs = cost.Macs;
        Parameters = cost.Params;
        // The default space must give exactly the reference network, or the comparison with the port is meaningless.
        if (space == ArchSpace.Default && (cost.Macs != spec.ExpectedMacs || cost.Params != spec.ExpectedParameters))
            throw new InvalidOperationException($"Default space at {Config}: {cost.Macs} MACs and {cost.Params} parameters, the reference subnet '{spec.Name}' {spec.ExpectedMacs} and {spec.ExpectedParameters}.");
        var rng = new Random(seed);
        var supernet = new OfaSupernet(space, seed);
        var dropout = new Random(seed + 1); // the caller-owned dropout stream (as the Trainer derives one per step)
        var input = (space.Input.MelBins, space.Input.Frames);
        if (network == ProductNetwork.Static)
        {
            var net = SubnetExtractor.ExtractWithCurrentStatistics(supernet, Config);
            if (net.ParameterCount() != cost.Params)
                throw new InvalidOperationException($"Extracted network for '{spec.Name}' has {net.ParameterCount()} parameters, the FLOPs counter {cost.Params}.");
            Net = net;
            Training = new BceTrainingStep(net, x => net.Forward(x, dropout: dropout), rng, batch, useArena, input, space.Classes);
        }
        else
        {
            Net = supernet;
            Training = new BceTrainingStep(supernet, x => supernet.Forward(x, Config, dropout), rng, batch, useArena, input, space.Classes);
        }
        Network = network;
    }

    /// <summary>
    /// The default space at OFA width multiplier <paramref name="width"/> (every width, stem and head included, becomes
    /// make_divisible(base x width, 8), as the peer's --width) on a fixed (mel bins x frames) input (the peer's --input).
    /// </summary>
    public static ArchSpace ForShape(double width, int melBins, int frames)
    {
        var space = ArchSpace.Default with { WidthMultiplier = width, Input = ArchSpace.Default.Input with { MelBins = melBins, Frames = frames } };
        space.Validate();
        return space;
    }

    public ProductNetwork Network { get; }
    public ArchConfig Config { get; }
    public Module Net { get; }
    public BceTrainingStep Training { get; }
    public int Batch => Training.Batch;
    public long Macs { get; }
    public long Parameters { get; }

    /// <summary>One training step; returns the loss.</summary>
    public float Step() => Training.Step();

    /// <summary>A training step timed by phase and by op.</summary>
    public float ProfiledStep(OpProfiler profiler) => Training.ProfiledStep(profiler);
}
