using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>A sub-network with its measured fitness: a training or held-out example of the accuracy predictor.</summary>
public readonly record struct FitnessSample(ArchConfig Config, double Fitness);
