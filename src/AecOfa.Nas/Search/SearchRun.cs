using System.Diagnostics;
using AecOfa.Nas.Flops;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// The bookkeeping one search run shares between strategies: the set of evaluated configs (de-duplication), the
/// constraint check with a capped resampling loop, evaluation with cost accounting, and the counters of the
/// <see cref="SearchResult"/>. Keeping this in one place is what makes evolution and random search comparable.
/// </summary>
internal sealed class SearchRun
{
    private readonly ArchSpace _space;
    private readonly IFitness _fitness;
    private readonly IReadOnlyList<IConstraint> _constraints;
    private readonly FlopsCounter _counter;
    private readonly CancellationToken _ct;
    private readonly HashSet<ArchConfig> _evaluated = new();
    private readonly List<SearchCandidate> _candidates = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SearchCandidate? _best;

    public SearchRun(ArchSpace space, IFitness fitness, IReadOnlyList<IConstraint> constraints, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fitness);
        SearchConstraints.EnsureFeasible(space, constraints);
        _space = space;
        _fitness = fitness;
        _constraints = constraints.ToArray(); // a snapshot: the caller's list may change while we run
        _counter = new FlopsCounter(space);
        _ct = ct;
    }

    public IReadOnlyList<SearchCandidate> Candidates => _candidates;
    public int Proposals { get; private set; }
    public int ConstraintRejections { get; private set; }
    public int DuplicateRejections { get; private set; }
    public SearchCandidate Best => _best ?? throw new InvalidOperationException("no candidate has been evaluated yet");

    /// <summary>
    /// Calls <paramref name="propose"/> until it returns a config that is new and satisfies every constraint, at most
    /// <paramref name="maxAttempts"/> times; then throws <see cref="CandidateSamplingException"/> naming
    /// <paramref name="operation"/> and <paramref name="round"/> (e.g. "crossover", generation 3; the message is only
    /// built then, so the loop allocates nothing of its own).
    /// </summary>
    public ArchConfig Draw(Func<ArchConfig> propose, int maxAttempts, string operation, string roundName, int round)
    {
        int constraintRejections = 0, duplicateRejections = 0;
        for (int attempt = 0; attempt < maxAttempts; attempt++)
        {
            _ct.ThrowIfCancellationRequested();
            var config = propose();
            Proposals++;
            // Duplicate first: one hash lookup, and an evaluated config is known to fit.
            if (_evaluated.Contains(config))
            {
                duplicateRejections++;
                DuplicateRejections++;
                continue;
            }
            if (!SearchConstraints.AllSatisfied(_constraints, config))
            {
                constraintRejections++;
                ConstraintRejections++;
                continue;
            }
            return config;
        }
        throw new CandidateSamplingException(
            $"Could not find a new sub-network for the {operation} of {roundName} {round} satisfying {SearchConstraints.Describe(_constraints)} in {maxAttempts:N0} attempts " +
            $"({constraintRejections:N0} broke the budget, {duplicateRejections:N0} were already evaluated; {_candidates.Count:N0} candidates evaluated so far). " +
            "The budget admits too few sub-networks for this search: loosen it, ask for fewer evaluations, or raise the attempt cap.",
            maxAttempts, constraintRejections, duplicateRejections);
    }

    /// <summary>Whether <paramref name="config"/> has been evaluated in this run.</summary>
    public bool IsEvaluated(ArchConfig config) => _evaluated.Contains(config);

    /// <summary>Evaluates a config returned by <see cref="Draw"/> (or checked like it) exactly once.</summary>
    public SearchCandidate Evaluate(ArchConfig config, int generation)
    {
        _ct.ThrowIfCancellationRequested();
        if (!_evaluated.Add(config)) throw new InvalidOperationException($"internal: {config} evaluated twice");
        double fitness = _fitness.Evaluate(config);
        if (!double.IsFinite(fitness))
            throw new InvalidOperationException($"The fitness of {config} is {fitness}; a search needs finite fitness values");
        var cost = _counter.Count(config);
        var candidate = new SearchCandidate(config, cost.Macs, cost.Params, fitness, generation);
        _candidates.Add(candidate);
        if (_best is null || fitness > _best.Fitness) _best = candidate;
        return candidate;
    }

    /// <summary>Evaluates <paramref name="config"/> if it is new and fits; returns whether it did.</summary>
    public bool TryEvaluate(ArchConfig config, int generation)
    {
        if (_evaluated.Contains(config) || !SearchConstraints.AllSatisfied(_constraints, config)) return false;
        Evaluate(config, generation);
        return true;
    }

    public void Report(IProgress<SearchProgress>? progress, int generation, int generations) =>
        progress?.Report(new SearchProgress(generation, generations, _candidates.Count, Best, _clock.Elapsed));

    public SearchResult Result(int generations) =>
        new(Best, _candidates.ToArray(), _candidates.Count, Proposals, ConstraintRejections, DuplicateRejections, generations);
}
