namespace AecOfa.Engine.Optim;

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    public ConstantSchedule(float learningRate)
    {
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"learningRate = {learningRate} must be finite and >= 0.");
        Value = learningRate;
    }

    public float Value { get; }

    public float LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Value;
    }
}
