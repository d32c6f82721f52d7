namespace AecOfa.Pipelines.Inference;

/// <summary>Options of <see cref="AudioClassifier"/>.</summary>
public sealed record AudioClassifierOptions
{
    /// <summary>Hop between analysis windows in seconds for files longer than the training clip; null (the default)
    /// is half the clip length (windows overlap by 50 %).</summary>
    public double? HopSeconds { get; init; }

    /// <summary>Clip-level score from the window scores.</summary>
    public WindowAggregation Aggregation { get; init; } = WindowAggregation.Max;

    /// <summary>Windows featurized per step (the compiled network then runs them one at a time).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Class names overriding the model's (e.g. from a dataset's classes.txt); their count must match.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}
