namespace AecOfa.Nas.Search;

/// <summary>How well a predictor ranks and fits a set of measured sub-networks.</summary>
/// <param name="Count">Sub-networks scored.</param>
/// <param name="KendallTau">Tau-b between predicted and measured fitness (NaN if either is constant).</param>
/// <param name="Rmse">Root mean squared error, in fitness units.</param>
public sealed record PredictorAccuracy(int Count, double KendallTau, double Rmse);
