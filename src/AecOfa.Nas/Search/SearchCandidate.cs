using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>One evaluated sub-network of a search.</summary>
/// <param name="Config">The sub-network.</param>
/// <param name="Macs">MACs of one forward pass on one example at the config's resolution.</param>
/// <param name="Params">Trainable parameters.</param>
/// <param name="Fitness">The fitness it was given (higher is better).</param>
/// <param name="Generation">Generation that produced it (0 = initial population; for random search, the batch).</param>
public sealed record SearchCandidate(ArchConfig Config, long Macs, long Params, double Fitness, int Generation);
