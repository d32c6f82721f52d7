using AecOfa.Engine;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;

namespace AecOfa.Nas.Tests.Search;

public class RecalibratedFitnessTests
{
    private sealed class Labeled(Tensor x, Tensor y) : ILabeledBatches
    {
        public IEnumerable<(Tensor Features, Tensor Targets)> Batches(int batchSize)
        {
            for (int s = 0; s < x.Shape[0]; s += batchSize)
            {
                int n = Math.Min(batchSize, x.Shape[0] - s);
                yield return (Engine.Ops.TensorOps.Slice(x, 0, s, n), Engine.Ops.TensorOps.Slice(y, 0, s, n));
            }
        }
    }

    private static (OfaSupernet Net, SubnetEvaluator Evaluator) Setup(int seed)
    {
        var space = TinySupernet.Space;
        var rng = new Random(seed);
        var recalibration = new TinySupernet.FixedFeatures(TinySupernet.Input(rng, 12));
        var x = TinySupernet.Input(rng, 16);
        var y = Tensor.Zeros(16, space.Classes);
        for (int i = 0; i < 16; i++) { y[i, i % space.Classes] = 1f; y[i, (i * 3 + 1) % space.Classes] = 1f; }
        var net = TinySupernet.Build(seed + 1);
        var evaluator = new SubnetEvaluator(net, new BnRecalibrator(recalibration, clips: 12, batchSize: 4), new Labeled(x, y), batchSize: 8);
        return (net, evaluator);
    }

    [Fact]
    public void Evolution_over_the_tiny_supernet_scores_every_candidate_by_recalibrated_validation_mAP()
    {
        var space = TinySupernet.Space;
        var (_, evaluator) = Setup(40);
        var fitness = new RecalibratedFitness(evaluator);
        var budget = new MacsConstraint(space, SearchTestSpaces.MacsQuantile(space, 0.6));
        var options = new EvolutionSearchOptions { PopulationSize = 4, ParentRatio = 0.5, Generations = 2 };
        var result = new EvolutionSearch(options).Search(space, fitness, [budget], seed: 3);

        Assert.Equal(12, result.Evaluations);
        Assert.Equal(12, fitness.Evaluations.Count);
        Assert.Equal(result.Candidates.Select(c => c.Config), fitness.Evaluations.Select(e => e.Config));
        Assert.All(result.Candidates, c => Assert.True(budget.IsSatisfied(c.Config)));
        Assert.All(result.Candidates, c => Assert.InRange(c.Fitness, 0.0, 1.0));
        Assert.Equal(fitness.Evaluations.Select(e => e.Report.MeanAveragePrecision), result.Candidates.Select(c => c.Fitness));
        Assert.True(result.Candidates.Select(c => c.Fitness).Distinct().Count() > 1, "every sub-network scored alike: the fitness is not wired to the network");

        // Recalibration makes a candidate's score independent of what was evaluated before: a fresh supernet agrees.
        var (_, fresh) = Setup(40);
        Assert.Equal(result.Best.Fitness, fresh.Evaluate(result.Best.Config).Report.MeanAveragePrecision);
    }

    [Fact]
    public void The_metric_is_a_selector_and_a_NaN_metric_is_refused()
    {
        var (_, evaluator) = Setup(41);
        var config = ArchConfig.Max(TinySupernet.Space);
        var auc = new RecalibratedFitness(evaluator, r => r.MeanRocAuc, "mean AUC");
        Assert.Equal(evaluator.Evaluate(config).Report.MeanRocAuc, auc.Evaluate(config));
        Assert.Equal("mean AUC", auc.MetricName);
        Assert.Equal("mAP", new RecalibratedFitness(evaluator).MetricName);

        var nan = new RecalibratedFitness(evaluator, _ => double.NaN, "broken");
        var e = Assert.Throws<InvalidOperationException>(() => nan.Evaluate(config));
        Assert.Contains("broken", e.Message);
        Assert.Empty(nan.Evaluations);
    }
}
