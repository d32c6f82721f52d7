namespace AecOfa.Engine.Ops;

/// <summary>The trainer's check after each loss: a non-finite value stops training with a message naming it.</summary>
public static class LossGuard
{
    /// <summary>Returns the loss value, or throws <see cref="NonFiniteLossException"/> naming the loss and step.</summary>
    public static float EnsureFinite(Tensor loss, string lossName, long step)
    {
        ArgumentNullException.ThrowIfNull(loss);
        float value = loss.Item();
        if (!float.IsFinite(value)) throw new NonFiniteLossException(lossName, step, value);
        return value;
    }
}
