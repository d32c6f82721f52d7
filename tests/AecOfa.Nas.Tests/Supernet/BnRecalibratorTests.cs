using AecOfa.Engine;
using AecOfa.Engine.Nn;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;
using AecOfa.Nas.Supernet;

namespace AecOfa.Nas.Tests.Supernet;

public class BnRecalibratorTests
{
    private static (Tensor Mean, Tensor Var) RunningStats(Module bn) => bn switch
    {
        ElasticBatchNorm e => (e.RunningMean, e.RunningVar),
        BatchNorm2d b => (b.RunningMean, b.RunningVar),
        _ => throw new InvalidOperationException(bn.GetType().Name),
    };

    private static Dictionary<string, float[]> Snapshot(Module net) =>
        net.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer.Data.ToArray());

    [Fact]
    public void Recalibrated_statistics_are_the_exact_statistics_of_the_concatenated_layer_inputs()
    {
        var space = TinySupernet.Space;
        var rng = new Random(21);
        var data = new TinySupernet.FixedFeatures(TinySupernet.Input(rng, 7));
        foreach (var config in new[] { ArchSampling.Sample(space, new Random(22)), ArchConfig.Min(space) })
        {
            var net = TinySupernet.Build(23);
            var before = Snapshot(net);
            // Reference: every input each BN saw, in float64, concatenated over the batches (3 + 3 + 1 clips).
            var seen = new Dictionary<Module, List<(int N, int C, int HW, double[] X)>>(ReferenceEqualityComparer.Instance);
            void Observe(Module bn, Tensor x)
            {
                if (!seen.TryGetValue(bn, out var list)) seen[bn] = list = [];
                list.Add((x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3], Array.ConvertAll(x.Data, v => (double)v)));
            }
            var result = new BnRecalibrator(data, clips: 7, batchSize: 3).Recalibrate(net, config, Observe);
            Assert.Equal((7, 3), (result.Clips, result.Batches));
            Assert.Equal(4 + 3 * config.ActiveBlocks, result.BatchNormLayers);
            Assert.Equal(result.BatchNormLayers, seen.Count);

            var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
            foreach (var (n, m) in net.NamedChildren().SelectMany(c => Descendants(c.Name, c.Module))) names[m] = n;
            var touched = new HashSet<string>();
            foreach (var (bn, batches) in seen)
            {
                int c = batches[0].C;
                var (mean, variance) = RunningStats(bn);
                for (int ch = 0; ch < c; ch++)
                {
                    double sum = 0, count = 0;
                    foreach (var (n, _, hw, x) in batches)
                        for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) { sum += x[(i * c + ch) * hw + p]; count++; }
                    double mu = sum / count, ss = 0;
                    foreach (var (n, _, hw, x) in batches)
                        for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) ss += Math.Pow(x[(i * c + ch) * hw + p] - mu, 2);
                    double var = ss / count;
                    Assert.True(Math.Abs(mean.Data[ch] - mu) <= 1e-5 * Math.Max(1, Math.Abs(mu)), $"{names[bn]} mean[{ch}]: {mean.Data[ch]} vs {mu}");
                    Assert.True(Math.Abs(variance.Data[ch] - var) <= 1e-5 * Math.Max(1, var), $"{names[bn]} var[{ch}]: {variance.Data[ch]} vs {var}");
                }
                // Channels beyond the active slice keep their old statistics.
                string name = names[bn];
                touched.Add(name);
                Assert.Equal(before[name + ".running_mean"][c..], mean.Data[c..]);
                Assert.Equal(before[name + ".running_var"][c..], variance.Data[c..]);
            }
            // BN layers the sub-network does not reach are untouched.
            foreach (var (name, buffer) in net.NamedBuffers())
                if (!touched.Contains(name[..name.LastIndexOf('.')]))
                    Assert.Equal(before[name], buffer.Data);
        }
    }

    private static IEnumerable<(string Name, Module Module)> Descendants(string name, Module m)
    {
        yield return (name, m);
        foreach (var (n, c) in m.NamedChildren())
            foreach (var d in Descendants(name + "." + n, c)) yield return d;
    }

    [Fact]
    public void With_one_batch_eval_mode_reproduces_batch_statistics_normalization()
    {
        var space = TinySupernet.Space with { Dropout = 0 };
        var net = new OfaSupernet(space, seed: 24);
        TinySupernet.Randomize(net, new Random(25));
        var x = TinySupernet.Input(new Random(26), 6);
        var config = ArchSampling.Sample(space, new Random(27));
        new BnRecalibrator(new TinySupernet.FixedFeatures(x), clips: 6, batchSize: 6).Recalibrate(net, config);
        net.Eval();
        var evalOut = net.Forward(x, config);
        net.Train(); // training-mode BN normalizes this same batch with its own statistics
        var trainOut = net.Forward(x, config);
        double diff = TinySupernet.MaxAbsDiff(evalOut, trainOut), scale = trainOut.Data.Max(Math.Abs);
        Assert.True(diff < 1e-4 * Math.Max(1, scale), $"eval after recalibration differs from batch-statistics forward by {diff:E2}");
    }

    [Fact]
    public void Recalibration_is_deterministic_takes_at_most_the_requested_clips_and_refuses_empty_data()
    {
        var space = TinySupernet.Space;
        var config = ArchSampling.Sample(space, new Random(28));
        var all = TinySupernet.Input(new Random(29), 9);
        var a = TinySupernet.Build(30);
        var b = TinySupernet.Build(30);
        var r = new BnRecalibrator(new TinySupernet.FixedFeatures(all), clips: 5, batchSize: 4).Recalibrate(a, config);
        Assert.Equal((5, 2), (r.Clips, r.Batches));
        // Only the first 5 clips count: a source holding exactly those 5 gives identical statistics.
        new BnRecalibrator(new TinySupernet.FixedFeatures(Engine.Ops.TensorOps.Slice(all, 0, 0, 5)), clips: 5, batchSize: 4).Recalibrate(b, config);
        Assert.Equal(Snapshot(a), Snapshot(b));

        var before = Snapshot(a);
        var none = new BnRecalibrator(new EmptyFeatures());
        Assert.Contains("no clips", Assert.Throws<InvalidOperationException>(() => none.Recalibrate(a, config)).Message);
        Assert.Equal(before, Snapshot(a));
    }

    private sealed class EmptyFeatures : IFeatureBatches
    {
        public IEnumerable<Tensor> Batches(int clips, int batchSize) => [];
    }
}
