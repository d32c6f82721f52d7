namespace AecOfa.Engine.Optim;

/// <summary>
/// Everything an optimizer must carry across a restart so the next step is bit-identical: its type, the
/// number of Step() calls and, per parameter name, the per-parameter step count and named float buffers
/// (SGD: "momentum_buffer"; AdamW: "exp_avg", "exp_avg_sq"). Parameters that never received a gradient
/// have no entry, exactly as in PyTorch.
/// </summary>
public sealed class OptimizerState
{
    public OptimizerState(string optimizerType, long stepCount, IReadOnlyDictionary<string, ParameterOptimizerState> parameters)
    {
        OptimizerType = optimizerType;
        StepCount = stepCount;
        Parameters = parameters;
    }

    /// <summary>"Sgd" or "AdamW"; importing into another type is refused.</summary>
    public string OptimizerType { get; }

    /// <summary>Number of completed Step() calls.</summary>
    public long StepCount { get; }

    /// <summary>State by parameter name.</summary>
    public IReadOnlyDictionary<string, ParameterOptimizerState> Parameters { get; }
}

/// <summary>One parameter's optimizer state: how many updates it received and its buffers (same length as the parameter).</summary>
public sealed class ParameterOptimizerState
{
    public ParameterOptimizerState(long step, IReadOnlyDictionary<string, float[]> buffers)
    {
        Step = step;
        Buffers = buffers;
    }

    public long Step { get; }

    public IReadOnlyDictionary<string, float[]> Buffers { get; }
}
