using AecOfa.Engine;
using AecOfa.Engine.Optim;

namespace AecOfa.Benchmarks;

/// <summary>
/// The training step of the CPU-speed issue on the benchmark's port of the reference network
/// (<see cref="ReferenceSubnet"/>), exactly like the torch peer (<see cref="BceTrainingStep"/>).
/// </summary>
public sealed class ReferenceSubnetTrainer
{
    public ReferenceSubnetTrainer(ReferenceSubnetSpec spec, int batch = 32, int seed = 0, bool useArena = true, bool fuseBnActivation = true)
    {
        var rng = new Random(seed);
        Net = new ReferenceSubnet(spec, rng, fuseBnActivation: fuseBnActivation);
        long count = Net.ParameterCount();
        if (count != spec.ExpectedParameters)
            throw new InvalidOperationException($"Reference subnet '{spec.Name}' has {count} parameters, the torch peer {spec.ExpectedParameters}.");
        Training = new BceTrainingStep(Net, Net.Forward, rng, batch, useArena);
    }

    public ReferenceSubnet Net { get; }
    public BceTrainingStep Training { get; }
    public Sgd Optimizer => Training.Optimizer;
    public Tensor Input => Training.Input;
    public Tensor Targets => Training.Targets;
    public TensorArena? Arena => Training.Arena;
    public int Batch => Training.Batch;

    /// <summary>One training step; returns the loss.</summary>
    public float Step() => Training.Step();

    /// <summary>A training step timed by phase and by op.</summary>
    public float ProfiledStep(OpProfiler profiler) => Training.ProfiledStep(profiler);
}
