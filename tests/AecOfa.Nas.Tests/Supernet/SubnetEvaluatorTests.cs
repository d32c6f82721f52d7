using AecOfa.Engine;
using AecOfa.Nas.Metrics;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

public class SubnetEvaluatorTests
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

    [Fact]
    public void Evaluate_recalibrates_first_whatever_statistics_the_supernet_held()
    {
        var space = TinySupernet.Space;
        var rng = new Random(31);
        var train = new TinySupernet.FixedFeatures(TinySupernet.Input(rng, 8));
        var x = TinySupernet.Input(rng, 10);
        var y = Tensor.Zeros(10, space.Classes);
        for (int i = 0; i < 10; i++) { y[i, i % space.Classes] = 1f; y[i, (i * 3 + 1) % space.Classes] = 1f; }
        var config = ArchSampling.Sample(space, new Random(32));

        var a = TinySupernet.Build(33);
        var b = TinySupernet.Build(33);
        // b's statistics are scrambled (as if left by another sub-network); evaluation must not depend on that.
        foreach (var (_, buffer) in b.NamedBuffers()) buffer.Span.Fill(7f);
        var recalibrator = new BnRecalibrator(train, clips: 8, batchSize: 3);
        var ea = new SubnetEvaluator(a, recalibrator, new Labeled(x, y), batchSize: 4).Evaluate(config);
        var eb = new SubnetEvaluator(b, recalibrator, new Labeled(x, y), batchSize: 4).Evaluate(config);
        Assert.Equal(10, ea.Examples);
        Assert.Equal(8, ea.Recalibration.Clips);
        Assert.Equal(ea.Report.MeanAveragePrecision, eb.Report.MeanAveragePrecision);
        Assert.True(a.IsTraining); // mode restored

        // The report is the metrics of the recalibrated network's logits.
        a.Eval();
        var logits = a.Forward(x, config);
        Assert.Equal(ClassificationMetrics.Evaluate(logits.Data, y.Data, space.Classes).MeanAveragePrecision, ea.Report.MeanAveragePrecision);
    }

    [Fact]
    public void Evaluate_in_cpu_chunks_with_recycled_buffers_scores_exactly_as_one_whole_batch_forward()
    {
        var space = TinySupernet.Space;
        var rng = new Random(41);
        int n = SubnetEvaluator.CpuChunkClips + 9; // one full chunk and a partial one, in a single batch
        var train = new TinySupernet.FixedFeatures(TinySupernet.Input(rng, 9));
        var x = TinySupernet.Input(rng, n);
        var y = Tensor.Zeros(n, space.Classes);
        for (int i = 0; i < n; i++) { y[i, i % space.Classes] = 1f; y[i, (i * 5 + 2) % space.Classes] = 1f; }
        var first = ArchSampling.Sample(space, new Random(42));
        var second = ArchSampling.Sample(space, new Random(43));

        var net = TinySupernet.Build(44);
        var evaluator = new SubnetEvaluator(net, new BnRecalibrator(train, clips: 9, batchSize: 4), new Labeled(x, y), batchSize: n);
        var a1 = evaluator.Evaluate(first);
        var b = evaluator.Evaluate(second); // reuses (and overwrites) buffers the first config left in the pools
        var a2 = evaluator.Evaluate(first);

        // Reference: a fresh recalibrator (nothing pooled), then one forward of all n clips.
        var reference = TinySupernet.Build(44);
        new BnRecalibrator(train, clips: 9, batchSize: 4).Recalibrate(reference, first);
        reference.Eval();
        Tensor logits;
        using (GradMode.NoGrad()) logits = reference.Forward(x, first);
        var expected = ClassificationMetrics.Evaluate(logits.Data, y.Data, space.Classes);
        foreach (var report in new[] { a1.Report, a2.Report })
        {
            Assert.Equal(expected.MeanAveragePrecision, report.MeanAveragePrecision);
            Assert.Equal(expected.MeanRocAuc, report.MeanRocAuc);
            Assert.Equal(expected.AveragePrecisionPerClass, report.AveragePrecisionPerClass);
        }
        Assert.Equal(n, a2.Examples);
        // The running statistics after first, second, first equal those of the same sequence recalibrated by fresh
        // recalibrators (nothing pooled), bit for bit.
        var sequence = TinySupernet.Build(44);
        foreach (var config in new[] { first, second, first }) new BnRecalibrator(train, clips: 9, batchSize: 4).Recalibrate(sequence, config);
        var fresh = sequence.NamedBuffers().ToDictionary(p => p.Name, p => p.Buffer.Data.ToArray());
        foreach (var (name, buffer) in net.NamedBuffers()) Assert.Equal(fresh[name], buffer.Data);
        Assert.NotEqual(b.Config, a1.Config);
    }
}
