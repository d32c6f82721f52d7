using System.Reflection;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

public sealed class RunIdentityTests
{
    [Fact]
    public void Every_trainer_option_is_part_of_the_identity_unless_it_is_listed_as_never_changing_results()
    {
        var options = new TrainerOptions { Epochs = 2, BatchSize = 4 };
        var trainer = new Trainer(TinySupernet.Build(1), new SandwichStrategy(1), options);
        var identity = new TrainingRunIdentity(trainer, TinySupernet.Build(1), new SandwichStrategy(1), null, 8, 4);
        foreach (var property in typeof(TrainerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            bool ignored = TrainingRunIdentity.IgnoredOptions.Contains(property.Name);
            Assert.True(ignored != identity.Settings.ContainsKey(TrainingRunIdentity.KeyOf(property.Name)),
                $"{property.Name}: {(ignored ? "ignored but present" : "missing from the run identity")}");
        }
        Assert.Equal("0.05", identity.Settings["learning_rate"]); // floats print as floats
        Assert.Equal("SgdNesterov", identity.Settings["optimizer"]);
        Assert.Equal("true", identity.Settings["sum_over_classes"]);
    }

    [Fact]
    public void Any_changed_option_shows_up_as_a_named_difference()
    {
        var baseOptions = new TrainerOptions { Epochs = 2, BatchSize = 4 };
        var net = TinySupernet.Build(1);
        TrainingRunIdentity Of(TrainerOptions o) => new(new Trainer(net, new SandwichStrategy(1), o), net, new SandwichStrategy(1), null, 8, 4);
        var saved = Of(baseOptions).ToMetadata().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Empty(Of(baseOptions with { CheckpointEverySteps = 3, PrefetchBatches = false, CheckpointInterval = TimeSpan.FromSeconds(5) }).Differences(saved));
        Assert.Contains("weight_decay was '3E-05', this run has '0.001'", Of(baseOptions with { WeightDecay = 1e-3f }).Differences(saved));
        Assert.Contains("warmup_epochs was '1', this run has '0.5'", Of(baseOptions with { WarmupEpochs = 0.5 }).Differences(saved));
        Assert.Contains("momentum was '0.9', this run has '0.8'", Of(baseOptions with { Momentum = 0.8f }).Differences(saved));
    }
}
