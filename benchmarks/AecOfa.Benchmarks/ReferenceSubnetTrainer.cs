using AecOfa.Engine;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Benchmarks;

/// <summary>
/// The training step of the CPU-speed issue, exactly like the torch peer: one fixed random batch (x ~ N(0, 1) of
/// shape (B, 1, 64, 100), random 0/1 targets (B, 10)), SGD lr 0.01 momentum 0.9 Nesterov; a step is zero grad ->
/// forward (train mode, dropout active) -> BCE with logits -> backward -> optimizer step. With an arena the whole
/// step runs inside one <see cref="TensorArena"/> scope, so a warm step allocates (almost) nothing.
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
        Optimizer = new Sgd(Net.NamedParameters(), learningRate: 0.01f, momentum: 0.9f, nesterov: true);
        Input = Tensor.Randn(rng, 1f, batch, 1, ReferenceSubnetSpec.InputH, ReferenceSubnetSpec.InputW);
        Targets = Tensor.Zeros(batch, ReferenceSubnetSpec.Classes);
        var t = Targets.Span;
        for (int i = 0; i < t.Length; i++) t[i] = rng.Next(2);
        Arena = useArena ? new TensorArena() : null;
        Net.Train();
    }

    public ReferenceSubnet Net { get; }
    public Sgd Optimizer { get; }
    public Tensor Input { get; }
    public Tensor Targets { get; }
    public TensorArena? Arena { get; }
    public int Batch => Input.Shape[0];

    /// <summary>One training step; returns the loss (read before the arena scope ends).</summary>
    public float Step()
    {
        var scope = Arena?.Begin();
        try
        {
            Optimizer.ZeroGrad();
            var loss = TensorOps.BinaryCrossEntropyWithLogits(Net.Forward(Input), Targets);
            loss.Backward();
            Optimizer.Step();
            return loss.Item();
        }
        finally
        {
            scope?.Dispose();
        }
    }

    /// <summary>A training step timed by phase (forward incl. zero grad and loss / backward / optimizer) and by op.</summary>
    public float ProfiledStep(OpProfiler profiler)
    {
        var scope = Arena?.Begin();
        try
        {
            using var p = profiler.Begin();
            long t0 = profiler.Now();
            Optimizer.ZeroGrad();
            profiler.Lap();
            var loss = TensorOps.BinaryCrossEntropyWithLogits(Net.Forward(Input), Targets);
            long t1 = profiler.Now();
            loss.Backward();
            long t2 = profiler.Now();
            Optimizer.Step();
            long t3 = profiler.Now();
            profiler.AddPhase("forward+loss", t1 - t0);
            profiler.AddPhase("backward", t2 - t1);
            profiler.AddPhase("optimizer", t3 - t2);
            return loss.Item();
        }
        finally
        {
            scope?.Dispose();
        }
    }
}
