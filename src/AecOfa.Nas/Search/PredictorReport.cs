namespace AecOfa.Nas.Search;

/// <summary>A fitted predictor with its accuracy on its training set and on HELD-OUT sub-networks (the number that
/// says whether it can stand in for measurement).</summary>
public sealed record PredictorReport(AccuracyPredictor Predictor, PredictorAccuracy Training, PredictorAccuracy HeldOut);
