using AecOfa.Engine;
using AecOfa.Nas.Networks;
using AecOfa.Nas.Space;
using AecOfa.Nas.Static;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary><see cref="TrainingCallbacks.Validate"/> recalibrates BN and switches to eval mode, yet training must come
/// out bitwise as without it; its metrics are stored with the epoch.</summary>
public class ValidationCallbackTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Validation_with_bn_recalibration_never_changes_training(bool fixedNetwork)
    {
        var space = TinySupernet.Space;
        var data = new TrainingTestData(10, space.Classes, seed: 4);
        var options = new TrainerOptions { Epochs = 3, BatchSize = 4, Seed = 6, PeakLearningRate = 0.1f };
        var fixedConfig = ArchConfig.Uniform(space, depth: 1, kernel: 3, expand: 2, melBins: 6, hopFactor: 2);

        IArchNetwork Build()
        {
            if (!fixedNetwork) return TinySupernet.Build(17);
            var net = new StaticMbv3Network(space, fixedConfig, 17);
            TinySupernet.Randomize(net, new Random(18));
            return net;
        }
        ITrainingStrategy Strategy() => fixedNetwork ? new StandaloneStrategy(fixedConfig) : new SandwichStrategy(2);
        var probe = fixedNetwork ? fixedConfig : ArchConfig.Min(space);

        var plainNet = Build();
        var plain = new Trainer(plainNet, Strategy(), options).Run(data);

        var validatedNet = Build();
        var recalibrator = new BnRecalibrator(new TinySupernet.FixedFeatures(data.Features), clips: 8, batchSize: 4);
        int calls = 0, recalibrationsThatMovedBuffers = 0;
        var validated = new Trainer(validatedNet, Strategy(), options).Run(data, new TrainingCallbacks
        {
            Validate = epoch =>
            {
                calls++;
                var before = validatedNet.Module.NamedBuffers().Select(b => b.Buffer.Data.ToArray()).ToList();
                recalibrator.Recalibrate(validatedNet, probe);
                if (validatedNet.Module.NamedBuffers().Select(b => b.Buffer.Data).Zip(before).Any(p => !p.First.AsSpan().SequenceEqual(p.Second)))
                    recalibrationsThatMovedBuffers++;
                validatedNet.Module.Eval();
                Tensor logits;
                using (GradMode.NoGrad()) logits = validatedNet.Forward(data.Features, probe);
                return new Dictionary<string, double> { ["probe.mean_logit"] = logits.Data.Average(), ["epoch"] = epoch.Epoch };
            },
        });

        Assert.Equal(3, calls);
        Assert.Equal(3, recalibrationsThatMovedBuffers); // the callback really did disturb the BN statistics
        TrainingSnapshots.AssertBitwiseEqual(TrainingSnapshots.State(plainNet.Module), TrainingSnapshots.State(validatedNet.Module));
        Assert.True(validatedNet.Module.IsTraining);
        Assert.Equal(plain.Steps.Select(s => s.Total), validated.Steps.Select(s => s.Total));
        Assert.Equal(plain.Epochs.Select(e => e.MeanTotal), validated.Epochs.Select(e => e.MeanTotal));
        Assert.All(plain.Epochs, e => Assert.Empty(e.Validation));
        Assert.Equal([1.0, 2.0, 3.0], validated.Epochs.Select(e => e.Validation["epoch"]));
        Assert.All(validated.Epochs, e => Assert.True(double.IsFinite(e.Validation["probe.mean_logit"])));
    }
}
