namespace AecOfa.Engine.Optim;

/// <summary>A learning rate as a pure function of the optimizer step (0-based): resuming at step s gives the same value.</summary>
public interface ILearningRateSchedule
{
    float LearningRate(long step);
}
