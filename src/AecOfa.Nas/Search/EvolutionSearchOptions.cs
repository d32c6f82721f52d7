namespace AecOfa.Nas.Search;

/// <summary>
/// Settings of <see cref="EvolutionSearch"/>; the defaults are OFA's (population 100, 25% parents, half the
/// children by mutation and half by crossover, mutation probability 0.1 per gene).
/// </summary>
public sealed record EvolutionSearchOptions
{
    /// <summary>Size of the initial population, and children bred per generation.</summary>
    public int PopulationSize { get; init; } = 100;

    /// <summary>Fraction of the population kept as parents: round(ratio × population), ties to even as OFA's Python.</summary>
    public double ParentRatio { get; init; } = 0.25;

    /// <summary>Fraction of the children made by mutation; the rest by crossover.</summary>
    public double MutationRatio { get; init; } = 0.5;

    /// <summary>Probability that mutation resamples each gene.</summary>
    public double MutationProbability { get; init; } = 0.1;

    /// <summary>Generations bred after the initial population.</summary>
    public int Generations { get; init; } = 20;

    /// <summary>Proposals tried per candidate before giving up with <see cref="CandidateSamplingException"/>.</summary>
    public int MaxAttemptsPerCandidate { get; init; } = 10_000;

    /// <summary>
    /// Whether <see cref="Space.ArchConfig.Min"/> is one of the initial population. Off by default: it is almost
    /// never the best under a budget, it would take a slot of the population's diversity, OFA does not do it, and
    /// the demo evaluates it separately as a reference point anyway. On, it guarantees the result is at least as
    /// fit as the smallest sub-network.
    /// </summary>
    public bool IncludeSmallest { get; init; }

    public int ParentCount => (int)Math.Round(ParentRatio * PopulationSize);
    public int MutantCount => (int)Math.Round(MutationRatio * PopulationSize);
    public int CrossoverCount => PopulationSize - MutantCount;

    /// <summary>Distinct fitness evaluations of a complete search: the initial population plus every generation's
    /// children (OFA's code breeds a full population of children per generation, next to the kept parents).</summary>
    public int TotalEvaluations => PopulationSize * (Generations + 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"EvolutionSearchOptions.{message}", "options");
        }
        Require(PopulationSize >= 2, $"PopulationSize = {PopulationSize} must be >= 2");
        Require(ParentRatio > 0 && ParentRatio <= 1, $"ParentRatio = {ParentRatio} must be in (0, 1]");
        Require(ParentCount >= 1, $"ParentRatio = {ParentRatio} keeps no parent of a population of {PopulationSize}; expected at least one");
        Require(MutationRatio >= 0 && MutationRatio <= 1, $"MutationRatio = {MutationRatio} must be in [0, 1]");
        Require(CrossoverCount == 0 || ParentCount >= 2,
            $"ParentRatio = {ParentRatio} keeps {ParentCount} parent; crossover needs two (or MutationRatio = 1)");
        Require(MutationProbability > 0 && MutationProbability <= 1, $"MutationProbability = {MutationProbability} must be in (0, 1]");
        Require(Generations >= 0, $"Generations = {Generations} must be >= 0");
        Require(MaxAttemptsPerCandidate >= 1, $"MaxAttemptsPerCandidate = {MaxAttemptsPerCandidate} must be >= 1");
        Require((long)PopulationSize * (Generations + 1L) <= int.MaxValue, $"PopulationSize × (Generations + 1) must fit in an int");
    }
}
