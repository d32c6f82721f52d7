namespace AecOfa.Nas.Search;

/// <summary>
/// Shape and training of <see cref="AccuracyPredictor"/>. OFA's predictor is 3 hidden layers of 400 trained on
/// 1-4K measured sub-networks; with a few hundred measurements a smaller one (e.g. 2 × 64) generalizes as well and
/// trains in a fraction of the time.
/// </summary>
public sealed record AccuracyPredictorOptions
{
    public int HiddenLayers { get; init; } = 3;
    public int HiddenWidth { get; init; } = 400;
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public float LearningRate { get; init; } = 1e-3f;
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"AccuracyPredictorOptions.{message}", "options");
        }
        Require(HiddenLayers >= 1, $"HiddenLayers = {HiddenLayers} must be >= 1");
        Require(HiddenWidth >= 1, $"HiddenWidth = {HiddenWidth} must be >= 1");
        Require(Epochs >= 1, $"Epochs = {Epochs} must be >= 1");
        Require(BatchSize >= 1, $"BatchSize = {BatchSize} must be >= 1");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"LearningRate = {LearningRate} must be a positive number");
        Require(WeightDecay >= 0 && float.IsFinite(WeightDecay), $"WeightDecay = {WeightDecay} must be a finite number >= 0");
    }
}
