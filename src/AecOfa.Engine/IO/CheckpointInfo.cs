namespace AecOfa.Engine.IO;

/// <summary>What <see cref="Checkpoint.Load"/> returns besides the loaded weights: the step and the caller's metadata.</summary>
public sealed class CheckpointInfo
{
    public CheckpointInfo(long step, IReadOnlyDictionary<string, string> metadata, bool hasOptimizerState)
    {
        Step = step;
        Metadata = metadata;
        HasOptimizerState = hasOptimizerState;
    }

    /// <summary>The training step saved with the checkpoint (0 for plain weight files).</summary>
    public long Step { get; }

    /// <summary>The metadata passed to <see cref="Checkpoint.Save"/> (reserved "aecofa." keys removed).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool HasOptimizerState { get; }
}
