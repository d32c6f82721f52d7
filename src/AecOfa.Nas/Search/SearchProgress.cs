namespace AecOfa.Nas.Search;

/// <summary>Reported after each generation (random search: each batch).</summary>
/// <param name="Generation">The generation just completed (0 = initial population).</param>
/// <param name="Generations">The last generation the search will run.</param>
/// <param name="Evaluations">Distinct fitness evaluations so far.</param>
/// <param name="Best">Best candidate so far.</param>
/// <param name="Elapsed">Time since the search started.</param>
public sealed record SearchProgress(int Generation, int Generations, int Evaluations, SearchCandidate Best, TimeSpan Elapsed);
