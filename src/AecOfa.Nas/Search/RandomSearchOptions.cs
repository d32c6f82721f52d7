namespace AecOfa.Nas.Search;

/// <summary>Settings of <see cref="RandomSearch"/>.</summary>
public sealed record RandomSearchOptions
{
    /// <summary>Distinct fitness evaluations (the default matches <see cref="EvolutionSearchOptions"/>' defaults).</summary>
    public int Evaluations { get; init; } = 2100;

    /// <summary>Evaluations per reported batch (the "generation" of a candidate is its batch).</summary>
    public int BatchSize { get; init; } = 100;

    public RandomSampler Sampler { get; init; } = RandomSampler.PerGene;

    /// <summary>Whether <see cref="Space.ArchConfig.Min"/> is the first candidate (as in <see cref="EvolutionSearchOptions.IncludeSmallest"/>).</summary>
    public bool IncludeSmallest { get; init; }

    /// <summary>Proposals tried per candidate before giving up with <see cref="CandidateSamplingException"/>.</summary>
    public int MaxAttemptsPerCandidate { get; init; } = 10_000;

    /// <summary>The random-search baseline of an evolutionary search: the same number of distinct evaluations,
    /// batches of one population, the same initial sampler, smallest-network and attempt-cap settings.</summary>
    public static RandomSearchOptions MatchingBudget(EvolutionSearchOptions evolution)
    {
        ArgumentNullException.ThrowIfNull(evolution);
        evolution.Validate();
        return new RandomSearchOptions
        {
            Evaluations = evolution.TotalEvaluations,
            BatchSize = evolution.PopulationSize,
            IncludeSmallest = evolution.IncludeSmallest,
            MaxAttemptsPerCandidate = evolution.MaxAttemptsPerCandidate,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"RandomSearchOptions.{message}", "options");
        }
        Require(Evaluations >= 1, $"Evaluations = {Evaluations} must be >= 1");
        Require(BatchSize >= 1, $"BatchSize = {BatchSize} must be >= 1");
        Require(Enum.IsDefined(Sampler), $"Sampler = {Sampler} is not a known sampler");
        Require(MaxAttemptsPerCandidate >= 1, $"MaxAttemptsPerCandidate = {MaxAttemptsPerCandidate} must be >= 1");
    }
}
