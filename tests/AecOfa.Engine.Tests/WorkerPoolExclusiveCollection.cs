namespace AecOfa.Engine.Tests;

/// <summary>
/// Tests that assert how WorkerPool splits a call need the pool to themselves: while another test's kernel holds the
/// pool, a call runs inline as one range (by design). xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(WorkerPoolExclusiveCollection), DisableParallelization = true)]
public sealed class WorkerPoolExclusiveCollection
{
}
