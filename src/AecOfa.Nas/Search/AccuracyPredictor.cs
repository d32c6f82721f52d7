using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Engine.Optim;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Search;

/// <summary>
/// OFA's accuracy predictor: an MLP (ReLU hidden layers, one linear output) on the one-hot <see cref="ArchEncoding"/>,
/// regressing measured fitness with mean squared error and AdamW, built on the project's engine. Targets are
/// standardized for training (mean 0, std 1) and mapped back, so the learning rate does not depend on the metric's
/// scale. Deterministic: weights and batch order come from the seed, and every <see cref="Fit"/> starts from the
/// same fresh weights, so refitting does not depend on earlier fits.
/// </summary>
public sealed class AccuracyPredictor
{
    private Sequential? _network;
    private double _targetMean, _targetStd = 1;

    public AccuracyPredictor(ArchSpace space, AccuracyPredictorOptions? options = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        Options = options ?? new AccuracyPredictorOptions();
        Options.Validate();
        Encoding = new ArchEncoding(space);
        Seed = seed;
    }

    public ArchEncoding Encoding { get; }
    public AccuracyPredictorOptions Options { get; }
    public int Seed { get; }
    public bool IsFitted => _network is not null;

    /// <summary>Trains on <paramref name="samples"/> from freshly seeded weights; returns its accuracy on them.</summary>
    public PredictorAccuracy Fit(IReadOnlyList<FitnessSample> samples, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2) throw new ArgumentException($"samples has {samples.Count} entries; a predictor needs at least 2", nameof(samples));
        int n = samples.Count, width = Encoding.Length;
        var features = new float[n * width];
        var targets = new double[n];
        for (int i = 0; i < n; i++)
        {
            var (config, fitness) = samples[i];
            if (config is null) throw new ArgumentException($"samples[{i}].Config is null; expected a config", nameof(samples));
            if (!double.IsFinite(fitness)) throw new ArgumentException($"samples[{i}].Fitness = {fitness}; expected a finite number", nameof(samples));
            Encoding.Encode(config, features.AsSpan(i * width, width));
            targets[i] = fitness;
        }
        double mean = targets.Average();
        double std = Math.Sqrt(targets.Sum(t => (t - mean) * (t - mean)) / n);
        _targetMean = mean;
        _targetStd = std > 1e-12 ? std : 1; // constant targets: learn the constant

        var o = Options;
        var rng = new Random(Seed);
        var network = Build(width, o, rng);
        var optimizer = new AdamW(network.NamedParameters(), o.LearningRate, weightDecay: o.WeightDecay);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        network.Train();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            for (int i = n - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int start = 0; start < n; start += o.BatchSize)
            {
                int rows = Math.Min(o.BatchSize, n - start);
                var x = new float[rows * width];
                var y = new float[rows];
                for (int r = 0; r < rows; r++)
                {
                    int k = order[start + r];
                    features.AsSpan(k * width, width).CopyTo(x.AsSpan(r * width, width));
                    y[r] = (float)((targets[k] - _targetMean) / _targetStd);
                }
                optimizer.ZeroGrad();
                var loss = MeanSquaredError.Loss(network.Forward(Tensor.FromArray(x, rows, width)), Tensor.FromArray(y, rows, 1));
                loss.Backward();
                optimizer.Step();
            }
        }
        network.Eval();
        _network = network;
        return Score(samples);
    }

    /// <summary>Predicted fitness of <paramref name="config"/>.</summary>
    public double Predict(ArchConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Predict([config])[0];
    }

    /// <summary>Predicted fitness of each config, in one batched forward pass.</summary>
    public double[] Predict(IReadOnlyList<ArchConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var network = _network ?? throw new InvalidOperationException("AccuracyPredictor: call Fit before Predict");
        if (configs.Count == 0) return [];
        int width = Encoding.Length;
        var x = new float[configs.Count * width];
        for (int i = 0; i < configs.Count; i++)
        {
            if (configs[i] is null) throw new ArgumentException($"configs[{i}] is null; expected a config", nameof(configs));
            Encoding.Encode(configs[i], x.AsSpan(i * width, width));
        }
        Tensor y;
        using (GradMode.NoGrad()) y = network.Forward(Tensor.FromArray(x, configs.Count, width));
        var result = new double[configs.Count];
        for (int i = 0; i < result.Length; i++) result[i] = y.Data[i] * _targetStd + _targetMean;
        return result;
    }

    /// <summary>Kendall tau and RMSE of the predictions against measured fitness.</summary>
    public PredictorAccuracy Score(IReadOnlyList<FitnessSample> measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        if (measured.Count == 0) throw new ArgumentException("measured is empty; expected at least one sample", nameof(measured));
        var predicted = Predict(measured.Select(s => s.Config).ToArray());
        var actual = new double[measured.Count];
        double squared = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i] = measured[i].Fitness;
            if (!double.IsFinite(actual[i])) throw new ArgumentException($"measured[{i}].Fitness = {actual[i]}; expected a finite number", nameof(measured));
            squared += (predicted[i] - actual[i]) * (predicted[i] - actual[i]);
        }
        return new PredictorAccuracy(actual.Length, KendallTau.TauB(predicted, actual), Math.Sqrt(squared / actual.Length));
    }

    /// <summary>
    /// Fits a predictor on <paramref name="training"/> and scores it on <paramref name="heldOut"/>, which must share no
    /// config with the training set (else the held-out number would be a training number).
    /// </summary>
    public static PredictorReport FitAndEvaluate(ArchSpace space, IReadOnlyList<FitnessSample> training, IReadOnlyList<FitnessSample> heldOut,
        AccuracyPredictorOptions? options = null, int seed = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(heldOut);
        if (heldOut.Count < 2) throw new ArgumentException($"heldOut has {heldOut.Count} entries; a rank correlation needs at least 2", nameof(heldOut));
        var seen = new HashSet<ArchConfig>();
        foreach (var s in training)
            if (s.Config is not null) seen.Add(s.Config);
        for (int i = 0; i < heldOut.Count; i++)
            if (heldOut[i].Config is { } c && seen.Contains(c))
                throw new ArgumentException($"heldOut[{i}] ({c}) is also in the training set; held-out configs must be unseen", nameof(heldOut));
        var predictor = new AccuracyPredictor(space, options, seed);
        var trainingAccuracy = predictor.Fit(training, ct);
        return new PredictorReport(predictor, trainingAccuracy, predictor.Score(heldOut));
    }

    private static Sequential Build(int inputs, AccuracyPredictorOptions o, Random rng)
    {
        var layers = new List<Module>();
        int width = inputs;
        for (int l = 0; l < o.HiddenLayers; l++)
        {
            layers.Add(new Linear(width, o.HiddenWidth, rng));
            layers.Add(new ReLU());
            width = o.HiddenWidth;
        }
        layers.Add(new Linear(width, 1, rng));
        return new Sequential(layers.ToArray());
    }
}
