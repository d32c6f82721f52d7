using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using Xunit.Abstractions;

namespace AecOfa.Nas.Tests.Search;

public class AccuracyPredictorTests(ITestOutputHelper output)
{
    private static readonly ArchSpace Space = SearchTestSpaces.Demo;

    private static readonly AccuracyPredictorOptions Small = new() { HiddenLayers = 2, HiddenWidth = 64, Epochs = 60, BatchSize = 32, LearningRate = 3e-3f };

    /// <summary>A fitness linear in the one-hot encoding (random weight per feature) plus a base, and distinct
    /// training and held-out configs.</summary>
    private static (List<FitnessSample> Train, List<FitnessSample> HeldOut) LinearProblem(int train, int heldOut, int seed)
    {
        var encoding = new ArchEncoding(Space);
        var rng = new Random(seed);
        var weights = Enumerable.Range(0, encoding.Length).Select(_ => 0.01 * (rng.NextDouble() - 0.5)).ToArray();
        var configs = new HashSet<ArchConfig>();
        var samples = new List<FitnessSample>();
        while (samples.Count < train + heldOut)
        {
            var c = ArchSampling.Sample(Space, rng);
            if (!configs.Add(c)) continue;
            var x = encoding.Encode(c);
            samples.Add(new FitnessSample(c, 0.6 + x.Select((v, i) => v * weights[i]).Sum()));
        }
        return (samples[..train], samples[train..]);
    }

    [Fact]
    public void Learns_a_fitness_linear_in_the_one_hot_encoding_and_ranks_unseen_configs()
    {
        var (train, heldOut) = LinearProblem(400, 200, seed: 1);
        var report = AccuracyPredictor.FitAndEvaluate(Space, train, heldOut, Small, seed: 3);
        output.WriteLine($"training: tau {report.Training.KendallTau:F3} RMSE {report.Training.Rmse:G3}; " +
            $"held-out: tau {report.HeldOut.KendallTau:F3} RMSE {report.HeldOut.Rmse:G3}; " +
            $"fitness std {Std(heldOut.Select(s => s.Fitness)):G3}");
        Assert.Equal(200, report.HeldOut.Count);
        Assert.True(report.HeldOut.KendallTau >= 0.8, $"held-out Kendall tau {report.HeldOut.KendallTau}");
        // Errors well below the spread of the fitness: predictions are in fitness units, not standardized ones.
        Assert.True(report.HeldOut.Rmse < 0.3 * Std(heldOut.Select(s => s.Fitness)), $"held-out RMSE {report.HeldOut.Rmse}");
    }

    [Fact]
    public void One_epoch_on_twenty_samples_does_not_pass_the_same_bar()
    {
        // The bar above is meaningful: one epoch on a handful of samples cannot reach it.
        var (train, heldOut) = LinearProblem(20, 200, seed: 1);
        var report = AccuracyPredictor.FitAndEvaluate(Space, train, heldOut, Small with { Epochs = 1 }, seed: 3);
        Assert.True(report.HeldOut.KendallTau < 0.8, $"held-out Kendall tau {report.HeldOut.KendallTau}");
    }

    [Fact]
    public void Fitting_is_deterministic_from_the_seed()
    {
        var (train, heldOut) = LinearProblem(100, 20, seed: 2);
        var options = Small with { Epochs = 5 };
        var configs = heldOut.Select(s => s.Config).ToArray();
        var a = new AccuracyPredictor(Space, options, seed: 7);
        a.Fit(train);
        var first = a.Predict(configs);
        a.Fit(train); // a refit starts from the same fresh weights
        Assert.Equal(first, a.Predict(configs));
        var b = new AccuracyPredictor(Space, options, seed: 7);
        b.Fit(train);
        Assert.Equal(first, b.Predict(configs));
        var c = new AccuracyPredictor(Space, options, seed: 8);
        c.Fit(train);
        Assert.NotEqual(first, c.Predict(configs));
        Assert.Equal(first[0], new PredictorFitness(a).Evaluate(configs[0]));
    }

    [Fact]
    public void Evolution_over_a_fitted_predictor_finds_high_predicted_fitness()
    {
        var (train, _) = LinearProblem(300, 0, seed: 4);
        var predictor = new AccuracyPredictor(Space, Small with { Epochs = 30 }, seed: 1);
        predictor.Fit(train);
        var result = new EvolutionSearch(new EvolutionSearchOptions { PopulationSize = 20, Generations = 5 })
            .Search(Space, new PredictorFitness(predictor), [], seed: 1);
        // The wiring: the search improves the predicted fitness beyond its random initial population.
        Assert.True(result.Best.Fitness > result.Candidates.Where(c => c.Generation == 0).Max(c => c.Fitness));
        Assert.Equal(predictor.Predict(result.Best.Config), result.Best.Fitness);
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var (train, heldOut) = LinearProblem(10, 5, seed: 5);
        Assert.Throws<InvalidOperationException>(() => new AccuracyPredictor(Space).Predict(train[0].Config));
        Assert.Equal("predictor", Assert.Throws<ArgumentException>(() => new PredictorFitness(new AccuracyPredictor(Space))).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => new AccuracyPredictor(Space).Fit(train[..1])).ParamName);
        var nan = train.ToList();
        nan[3] = nan[3] with { Fitness = double.NaN };
        Assert.Contains("samples[3].Fitness", Assert.Throws<ArgumentException>(() => new AccuracyPredictor(Space, Small).Fit(nan)).Message);
        var overlap = heldOut.Append(train[2]).ToList();
        var e = Assert.Throws<ArgumentException>(() => AccuracyPredictor.FitAndEvaluate(Space, train, overlap, Small));
        Assert.Equal("heldOut", e.ParamName);
        Assert.Contains("heldOut[5]", e.Message);
        Assert.Contains("HiddenWidth = 0", Assert.Throws<ArgumentException>(() => new AccuracyPredictor(Space, Small with { HiddenWidth = 0 })).Message);
    }

    private static double Std(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }
}
