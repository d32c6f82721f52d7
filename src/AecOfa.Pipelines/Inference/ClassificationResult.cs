namespace AecOfa.Pipelines.Inference;

/// <summary>How a file's clip-level scores are formed from its windows' scores.</summary>
public enum WindowAggregation
{
    /// <summary>Per class, the highest window score (an event anywhere in the file counts; the default).</summary>
    Max,

    /// <summary>Per class, the mean over windows (how much of the file the class fills).</summary>
    Mean,
}

/// <summary>One class and its score (sigmoid probability; classes are independent, multi-label).</summary>
public sealed record ClassScore(int Index, string Name, float Score);

/// <summary>The scores of one analysis window [StartSeconds, EndSeconds) of a file.</summary>
public sealed record WindowScores(double StartSeconds, double EndSeconds, float[] Scores);

/// <summary>What <see cref="AudioClassifier"/> found in one file or clip.</summary>
public sealed record ClassificationResult(string Source, double DurationSeconds, IReadOnlyList<WindowScores> Windows,
    float[] Scores, WindowAggregation Aggregation, IReadOnlyList<string> ClassNames)
{
    /// <summary>The <paramref name="k"/> best classes of the clip-level scores, best first.</summary>
    public IReadOnlyList<ClassScore> Top(int k) => TopOf(Scores, k, ClassNames);

    /// <summary>The <paramref name="k"/> best classes of one window.</summary>
    public IReadOnlyList<ClassScore> TopOf(WindowScores window, int k) => TopOf(window.Scores, k, ClassNames);

    private static IReadOnlyList<ClassScore> TopOf(float[] scores, int k, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "must be at least 1");
        return Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k)
            .Select(i => new ClassScore(i, names[i], scores[i])).ToArray();
    }
}
