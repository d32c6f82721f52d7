namespace AecOfa.Engine.Ops;

/// <summary>A loss became NaN or infinite: training must stop before the optimizer spreads it into the weights.</summary>
public sealed class NonFiniteLossException : ArithmeticException
{
    public NonFiniteLossException(string lossName, long step, float value)
        : base($"Loss '{lossName}' is {value} (not finite) at step {step}. Lower the learning rate, enable gradient clipping, or check the inputs and targets of that step.")
    {
        LossName = lossName;
        Step = step;
        Value = value;
    }

    public string LossName { get; }

    public long Step { get; }

    public float Value { get; }
}
