namespace AecOfa.Nas.Search;

/// <summary>Outcome of one search.</summary>
/// <param name="Best">Highest fitness (the earliest evaluated among equals).</param>
/// <param name="Candidates">Every evaluated candidate, in evaluation order, each config once.</param>
/// <param name="Evaluations">Distinct fitness evaluations (= Candidates.Count).</param>
/// <param name="Proposals">Configs the operators or the sampler proposed, accepted or not.</param>
/// <param name="ConstraintRejections">Proposals rejected for breaking a constraint.</param>
/// <param name="DuplicateRejections">Proposals rejected because that config was already evaluated.</param>
/// <param name="Generations">Generations run after the initial population (random search: batches after the first).</param>
public sealed record SearchResult(
    SearchCandidate Best,
    IReadOnlyList<SearchCandidate> Candidates,
    int Evaluations,
    int Proposals,
    int ConstraintRejections,
    int DuplicateRejections,
    int Generations)
{
    /// <summary>True when the search stopped early because no new sub-network could be found under the constraints:
    /// the budget admits (nearly) no sub-network that was not evaluated already, so the result covers them all.</summary>
    public bool Exhausted { get; init; }

    /// <summary>The candidates no other beats on fitness at no more MACs, by increasing MACs.</summary>
    public IReadOnlyList<SearchCandidate> ParetoFront()
    {
        var costs = new double[Candidates.Count];
        var scores = new double[Candidates.Count];
        for (int i = 0; i < costs.Length; i++)
        {
            costs[i] = Candidates[i].Macs;
            scores[i] = Candidates[i].Fitness;
        }
        return Search.ParetoFront.Indices(costs, scores).Select(i => Candidates[i]).ToArray();
    }
}
