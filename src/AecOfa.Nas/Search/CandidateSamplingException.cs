namespace AecOfa.Nas.Search;

/// <summary>
/// A strategy could not find a NEW config that satisfies the constraints within its attempt cap: the budget admits
/// too few sub-networks for the requested population or evaluation count, or the proposals keep landing outside
/// it. Thrown instead of looping forever; the message names the operator, the budget and the rejection counts.
/// </summary>
public sealed class CandidateSamplingException : InvalidOperationException
{
    public CandidateSamplingException(string message, int attempts, int constraintRejections, int duplicateRejections)
        : base(message)
    {
        Attempts = attempts;
        ConstraintRejections = constraintRejections;
        DuplicateRejections = duplicateRejections;
    }

    /// <summary>Proposals tried for the one candidate that could not be found.</summary>
    public int Attempts { get; }

    /// <summary>Of those, rejected for breaking a constraint.</summary>
    public int ConstraintRejections { get; }

    /// <summary>Of those, rejected because the config was already evaluated.</summary>
    public int DuplicateRejections { get; }
}
