using AecOfa.Nas.Space;
using AecOfa.Nas.Tests.Supernet;
using AecOfa.Nas.Training;

namespace AecOfa.Nas.Tests.Training;

/// <summary>OFA's progressive shrinking: the phases a space gets, how a run's epochs and learning rate are shared
/// among them, and that every step samples only the current phase's choice sets.</summary>
public class ProgressiveShrinkingTests
{
    private static readonly ArchSpace Tiny = TinySupernet.Space; // kernels {3,5,7}, depths {1,2,3}, expands {2,3}, mel {8,6}, hop {1,2}

    [Fact]
    public void Tiny_space_phases_are_kernel_depth_expand_then_resolution_with_ofa_choice_sets()
    {
        var phases = new ProgressiveShrinkingStrategy().Phases(Tiny, 22);
        Assert.Equal(["kernel", "depth1", "depth2", "expand1", "resolution"], phases.Select(p => p.Name));
        Assert.Equal([5, 2, 5, 5, 5], phases.Select(p => p.Epochs)); // 4:1:4:4:4 of 22, at least one each
        Assert.Equal([1f, 1f / 12, 0.25f, 0.25f, 0.25f], phases.Select(p => p.LearningRateScale));
        Assert.Equal([1, 2, 2, 4, 4], phases.Select(p => p.Roles.Length));
        Assert.All(phases, p => Assert.Equal(Enumerable.Range(1, p.Roles.Length).Select(k => $"subnet{k}"), p.Roles.ToArray()));

        Assert.Equal(["-", "-", "-", "3", "-"], phases.Select(p => p.SortTrainedExpandRatios is { } s ? string.Join(",", s) : "-"));
        Assert.Equal([false, true, true, true, true], phases.Select(p => p.ResetOptimizer)); // OFA: a fresh optimizer per phase
        Assert.All(new ProgressiveShrinkingStrategy(resetOptimizerPerPhase: false).Phases(Tiny, 22), p => Assert.False(p.ResetOptimizer));

        static string Sets(TrainingPhase p) =>
            $"k{string.Join("", p.Space.KernelChoices)} d{string.Join("", p.Space.DepthChoices)} e{string.Join("", p.Space.ExpandChoices)} " +
            $"m{string.Join("", p.Space.Input.MelBinSet)} h{string.Join("", p.Space.Input.HopFactorSet)}";
        Assert.Equal(
            ["k357 d3 e3 m8 h1", "k357 d23 e3 m8 h1", "k357 d123 e3 m8 h1", "k357 d123 e23 m8 h1", "k357 d123 e23 m86 h12"],
            phases.Select(Sets));
        // Everything but the choice sets is the network's space (widths, classes, input size).
        Assert.All(phases, p => Assert.Equal(Tiny with
        {
            KernelChoices = p.Space.KernelChoices, DepthChoices = p.Space.DepthChoices, ExpandChoices = p.Space.ExpandChoices, Input = p.Space.Input,
        }, p.Space));
        Assert.All(phases, p => Assert.Equal((Tiny.Input.MelBins, Tiny.Input.Frames), (p.Space.Input.MelBins, p.Space.Input.Frames)));
    }

    [Fact]
    public void Default_space_phases_follow_ofa_depth_then_expand_and_add_resolution_only_when_elastic()
    {
        var space = ArchSpace.Default;
        var phases = new ProgressiveShrinkingStrategy().Phases(space, 19);
        Assert.Equal(["kernel", "depth1", "depth2", "expand1", "expand2"], phases.Select(p => p.Name));
        Assert.Equal([5, 2, 5, 2, 5], phases.Select(p => p.Epochs)); // 4:1:4:1:4 of 19
        Assert.Equal([1f, 1f / 12, 0.25f, 1f / 12, 0.25f], phases.Select(p => p.LearningRateScale));
        Assert.Equal([1, 2, 2, 4, 4], phases.Select(p => p.Roles.Length)); // OFA: 1, 2, 4 sub-networks per step
        Assert.Equal(["4", "34", "234", "234", "234"], phases.Select(p => string.Join("", p.Space.DepthChoices)));
        Assert.Equal(["6", "6", "6", "46", "346"], phases.Select(p => string.Join("", p.Space.ExpandChoices)));
        Assert.All(phases, p => Assert.Equal([3, 5, 7], p.Space.KernelChoices.ToArray()));
        Assert.Null(phases[2].SortTrainedExpandRatios);
        Assert.Equal([6], phases[3].SortTrainedExpandRatios!.Value.ToArray()); // {4,6}: a full sort (only 6 trained)
        Assert.Equal([6, 4], phases[4].SortTrainedExpandRatios!.Value.ToArray()); // {3,4,6}: nested in the widths of 6 and 4

        var elastic = space with { Input = space.Input with { MelBinChoices = [64, 48, 32], HopFactorChoices = [1, 2] } };
        var withResolution = new ProgressiveShrinkingStrategy().Phases(elastic, 6);
        Assert.Equal(["kernel", "depth1", "depth2", "expand1", "expand2", "resolution"], withResolution.Select(p => p.Name));
        Assert.Equal([64], withResolution[4].Space.Input.MelBinSet.ToArray());
        Assert.Equal([64, 48, 32], withResolution[5].Space.Input.MelBinSet.ToArray());
        Assert.Equal([1, 2], withResolution[5].Space.Input.HopFactorSet.ToArray());

        // A dimension with one choice adds no phase.
        var fixedKernelDepth = space with { DepthChoices = [4], ExpandChoices = [4, 6] };
        Assert.Equal(["kernel", "expand1"], new ProgressiveShrinkingStrategy().Phases(fixedKernelDepth, 2).Select(p => p.Name));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(120)]
    public void Epochs_are_apportioned_exactly_with_at_least_one_per_phase_and_main_phases_never_shorter(int epochs)
    {
        foreach (var space in new[] { Tiny, ArchSpace.Default })
        {
            var phases = new ProgressiveShrinkingStrategy().Phases(space, epochs);
            Assert.Equal(epochs, phases.Sum(p => p.Epochs));
            Assert.All(phases, p => Assert.True(p.Epochs >= 1, $"{p.Name}: {p.Epochs}"));
            int shortestMain = phases.Where(IsMain).Min(p => p.Epochs);
            Assert.All(phases.Where(p => !IsMain(p)), p => Assert.True(p.Epochs <= shortestMain, $"{p.Name} {p.Epochs} > {shortestMain}"));
            Assert.True(phases.Where(IsMain).Max(p => p.Epochs) - shortestMain <= 1); // main phases share equally (largest remainders)
        }

        static bool IsMain(TrainingPhase p) => p.LearningRateScale != ProgressiveShrinkingStrategy.IntermediateLearningRateScale;
    }

    [Fact]
    public void Too_few_epochs_is_a_clear_error_naming_the_phases()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressiveShrinkingStrategy().Phases(Tiny, 4));
        Assert.Contains("5 phases", e.Message);
        Assert.Contains("kernel, depth1, depth2, expand1, resolution", e.Message);
        Assert.Contains("at least 5 epochs", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(TinySupernet.Build(1), new ProgressiveShrinkingStrategy(distillWeight: 0), new TrainerOptions { Epochs = 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressiveShrinkingStrategy(subnetsPerStep: [1, 2, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressiveShrinkingStrategy(subnetsPerStep: [1, 0, 4, 4]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Plan_samples_only_the_phases_choice_sets_and_earlier_sets_stay_elastic(bool tinySpace)
    {
        var space = tinySpace ? Tiny : ArchSpace.Default with { Input = ArchSpace.Default.Input with { MelBinChoices = [64, 48], HopFactorChoices = [1, 2] } };
        var strategy = new ProgressiveShrinkingStrategy(distillWeight: 0.7f, subnetsPerStep: [1, 2, 3, 5]);
        var phases = strategy.Phases(space, 12);
        var rng = new Random(17);
        foreach (var phase in phases)
        {
            var seen = new Seen();
            for (int n = 0; n < 400; n++)
            {
                var plan = strategy.Plan(phase, rng);
                Assert.Equal(phase.Roles.ToArray(), plan.Select(t => t.Role));
                foreach (var task in plan)
                {
                    Assert.Equal(SubnetTarget.LabelsAndTeacher, task.Target);
                    Assert.Equal(0.7f, task.DistillWeight);
                    Assert.False(task.IsTeacher);
                    Assert.False(task.UseDropout);
                    seen.Add(task.Config, phase.Space, phase.Name);
                }
            }
            // Every choice of the phase's sets is used: the phase really is elastic in all of them (earlier phases' too).
            Assert.Equal(phase.Space.KernelChoices.Order(), seen.Kernels.Order());
            Assert.Equal(phase.Space.DepthChoices.Order(), seen.Depths.Order());
            Assert.Equal(phase.Space.ExpandChoices.Order(), seen.Expands.Order());
            Assert.Equal(phase.Space.Input.MelBinSet.Order(), seen.MelBins.Order());
            Assert.Equal(phase.Space.Input.HopFactorSet.Order(), seen.Hops.Order());
        }
        // Later phases keep every earlier phase's choice set (sets only grow).
        for (int i = 1; i < phases.Count; i++)
        {
            var (a, b) = (phases[i - 1].Space, phases[i].Space);
            Assert.Subset(b.KernelChoices.ToHashSet(), a.KernelChoices.ToHashSet());
            Assert.Subset(b.DepthChoices.ToHashSet(), a.DepthChoices.ToHashSet());
            Assert.Subset(b.ExpandChoices.ToHashSet(), a.ExpandChoices.ToHashSet());
            Assert.Subset(b.Input.MelBinSet.ToHashSet(), a.Input.MelBinSet.ToHashSet());
            Assert.Subset(b.Input.HopFactorSet.ToHashSet(), a.Input.HopFactorSet.ToHashSet());
        }
        Assert.Equal(space.KernelChoices.Order(), phases[^1].Space.KernelChoices.Order());
        Assert.Equal(space.DepthChoices.Order(), phases[^1].Space.DepthChoices.Order());
        Assert.Equal(space.ExpandChoices.Order(), phases[^1].Space.ExpandChoices.Order());

        Assert.All(new ProgressiveShrinkingStrategy(distillWeight: 0).Plan(phases[0], rng), t => Assert.Equal(SubnetTarget.Labels, t.Target));
        Assert.False(new ProgressiveShrinkingStrategy(distillWeight: 0).NeedsFrozenTeacher);
        Assert.True(strategy.NeedsFrozenTeacher);
    }

    [Fact]
    public void The_trainer_gives_every_step_the_phase_it_belongs_to_with_that_phases_learning_rate()
    {
        var data = new TrainingTestData(6, Tiny.Classes, seed: 3); // 2 steps per epoch at batch 3
        var recorder = new RecordingStrategy(new ProgressiveShrinkingStrategy(distillWeight: 0));
        var options = new TrainerOptions { Epochs = 6, BatchSize = 3, Seed = 2, PeakLearningRate = 0.08f, WarmupEpochs = 0 };
        var trainer = new Trainer(TinySupernet.Build(8), recorder, options);
        var started = new List<string>();
        var result = trainer.Run(data, new TrainingCallbacks { PhaseStarted = p => started.Add(p.Name) });

        Assert.Equal(["kernel", "depth1", "depth2", "expand1", "resolution"], started);
        var expectedPhase = trainer.Phases.SelectMany(p => Enumerable.Repeat(p, p.Epochs * 2)).ToList();
        Assert.Equal(expectedPhase.Count, result.Steps.Count);
        Assert.Equal(expectedPhase.Count, recorder.Calls.Count);
        for (int s = 0; s < result.Steps.Count; s++)
        {
            var phase = expectedPhase[s];
            Assert.Equal(phase.Name, result.Steps[s].Phase);
            Assert.Same(phase, recorder.Calls[s].Phase);
            Assert.Equal(phase.Roles.ToArray(), result.Steps[s].Losses.Select(l => l.Role));
            Assert.True(result.Steps[s].LearningRate <= options.PeakLearningRate * phase.LearningRateScale * (1 + 1e-6),
                $"step {s} ({phase.Name}): lr {result.Steps[s].LearningRate}");
            var seen = new Seen();
            foreach (var config in recorder.Calls[s].Configs) seen.Add(config, phase.Space, phase.Name);
        }
        // Each phase restarts its own cosine schedule at its own peak (no warm-up here): its first step runs at the peak.
        foreach (var phase in trainer.Phases)
            Assert.Equal(options.PeakLearningRate * phase.LearningRateScale, result.Steps[expectedPhase.IndexOf(phase)].LearningRate, 1e-6);
        Assert.Equal(trainer.Phases.Select(p => p.Name), result.Epochs.Select(e => e.Phase).Distinct());
    }

    /// <summary>Collects the genes of sampled configs, failing on any gene outside the phase's sets.</summary>
    private sealed class Seen
    {
        public HashSet<int> Kernels { get; } = [];
        public HashSet<int> Depths { get; } = [];
        public HashSet<int> Expands { get; } = [];
        public HashSet<int> MelBins { get; } = [];
        public HashSet<int> Hops { get; } = [];

        public void Add(ArchConfig config, ArchSpace phaseSpace, string phase)
        {
            Assert.True(phaseSpace.Input.MelBinSet.Contains(config.MelBins), $"{phase}: mel bins {config.MelBins} in {config}");
            Assert.True(phaseSpace.Input.HopFactorSet.Contains(config.HopFactor), $"{phase}: hop {config.HopFactor} in {config}");
            MelBins.Add(config.MelBins);
            Hops.Add(config.HopFactor);
            for (int s = 0; s < config.StageCount; s++)
            {
                Assert.True(phaseSpace.DepthChoices.Contains(config.Depth(s)), $"{phase}: depth {config.Depth(s)} in {config}");
                Depths.Add(config.Depth(s));
                for (int b = 0; b < config.Depth(s); b++) // inactive slots hold no genes (0)
                {
                    Assert.True(phaseSpace.KernelChoices.Contains(config.Kernel(s, b)), $"{phase}: kernel {config.Kernel(s, b)} in {config}");
                    Assert.True(phaseSpace.ExpandChoices.Contains(config.Expand(s, b)), $"{phase}: expand {config.Expand(s, b)} in {config}");
                    Kernels.Add(config.Kernel(s, b));
                    Expands.Add(config.Expand(s, b));
                }
            }
        }
    }

    /// <summary>Passes everything through and records each Plan call (the phase object and the sampled configs).</summary>
    private sealed class RecordingStrategy(ITrainingStrategy inner) : ITrainingStrategy
    {
        public List<(TrainingPhase Phase, List<ArchConfig> Configs)> Calls { get; } = [];

        public string Name => inner.Name;

        public bool NeedsFrozenTeacher => inner.NeedsFrozenTeacher;

        public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs) => inner.Phases(space, epochs);

        public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling)
        {
            var plan = inner.Plan(phase, sampling);
            Calls.Add((phase, plan.Select(t => t.Config).ToList()));
            return plan;
        }

        public string Describe() => inner.Describe();
    }
}
