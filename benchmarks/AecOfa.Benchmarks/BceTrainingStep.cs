using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Benchmarks;

/// <summary>
/// The training step of the CPU-speed issue for any network, exactly like the torch peer: one fixed random batch
/// (x ~ N(0, 1) of shape (B, 1, mel bins, frames), default 64 x 100, random 0/1 targets (B, classes)), SGD lr 0.01 momentum 0.9 Nesterov; a step is
/// zero grad -> forward (train mode, dropout active) -> BCE with logits -> backward -> optimizer step. With an arena
/// the whole step runs inside one <see cref="TensorArena"/> scope, so a warm step allocates (almost) nothing.
/// </summary>
public sealed class BceTrainingStep
{
    private readonly Func<Tensor, Tensor> _forward;

    /// <param name="net">Its parameters are optimized; it is put in training mode.</param>
    /// <param name="forward">Logits (B, 10) of the batch (the network's forward with whatever it needs, e.g. a dropout stream).</param>
    /// <param name="rng">Draws the batch and the targets.</param>
    /// <param name="input">Mel bins x frames of the batch (default: the reference 64 x 100).</param>
    public BceTrainingStep(Module net, Func<Tensor, Tensor> forward, Random rng, int batch, bool useArena,
        (int MelBins, int Frames)? input = null, int classes = ReferenceSubnetSpec.Classes)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(rng);
        _forward = forward;
        Optimizer = new Sgd(net.NamedParameters(), learningRate: 0.01f, momentum: 0.9f, nesterov: true);
        var (h, w) = input ?? (ReferenceSubnetSpec.InputH, ReferenceSubnetSpec.InputW);
        Input = Tensor.Randn(rng, 1f, batch, 1, h, w);
        Targets = Tensor.Zeros(batch, classes);
        var t = Targets.Span;
        for (int i = 0; i < t.Length; i++) t[i] = rng.Next(2);
        Arena = useArena ? new TensorArena() : null;
        net.Train();
    }

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
            var loss = TensorOps.BinaryCrossEntropyWithLogits(_forward(Input), Targets);
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
        ArgumentNullException.ThrowIfNull(profiler);
        var scope = Arena?.Begin();
        try
        {
            using var p = profiler.Begin();
            long t0 = profiler.Now();
            Optimizer.ZeroGrad();
            profiler.Lap();
            var loss = TensorOps.BinaryCrossEntropyWithLogits(_forward(Input), Targets);
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
