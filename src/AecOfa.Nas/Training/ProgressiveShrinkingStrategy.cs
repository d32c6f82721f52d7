using System.Collections.Immutable;
using System.Globalization;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Training;

/// <summary>
/// OFA's progressive shrinking (METHOD.md §2), run on a supernet that starts from the trained full network and learns
/// from it as a frozen teacher (loss = labels + <see cref="DistillWeight"/> × KD). Phases, each with its own cosine
/// schedule:
///   kernel  — kernels elastic; depth, expand and resolution at their largest; 1 sub-network per step;
///   depth   — the two deepest choices, then all depths (OFA: {3,4} then {2,3,4}); 2 per step;
///   expand  — the two widest ratios, then all (OFA: {4,6} then {3,4,6}); 4 per step; each starts with a channel
///             sort (<see cref="Supernet.ChannelSorter"/>) nested inside the widths already trained;
///   resolution — only when the space has elastic input resolution: mel bins and hop factor elastic too; 4 per step.
/// Every choice set of an earlier phase stays elastic in the later ones. A depth or expand dimension with a single
/// choice adds no phase (the kernel phase is always run: with one kernel it trains the largest alone).
///
/// Length and learning rate scaled to the run (why: OFA's ImageNet schedule is 120 / 25 / 120 / 25 / 120 epochs at
/// learning rates 3e-2 / 2.5e-3 / 7.5e-3 / 2.5e-3 / 7.5e-3): a run of E epochs gives each phase a share of E
/// proportional to 4 for a main phase and 1 for an intermediate one (at least 1 epoch each), and a learning rate of
/// the run's peak rate × 1 (kernel), × 1/12 (intermediate) or × 1/4 (main depth/expand/resolution phases).
/// OFA builds a fresh optimizer per phase; <see cref="ResetOptimizerPerPhase"/> does the same (default), otherwise the
/// momentum carries over and is permuted with the channels at each sort.
/// </summary>
public sealed class ProgressiveShrinkingStrategy : ITrainingStrategy
{
    public const int MainPhaseWeight = 4, IntermediatePhaseWeight = 1;
    public const float KernelLearningRateScale = 1f, IntermediateLearningRateScale = 1f / 12, MainLearningRateScale = 0.25f;

    public ProgressiveShrinkingStrategy(float distillWeight = 1f, bool resetOptimizerPerPhase = true, IReadOnlyList<int>? subnetsPerStep = null)
    {
        if (!(distillWeight >= 0) || !float.IsFinite(distillWeight))
            throw new ArgumentOutOfRangeException(nameof(distillWeight), distillWeight, "must be >= 0");
        DistillWeight = distillWeight;
        ResetOptimizerPerPhase = resetOptimizerPerPhase;
        SubnetsPerStep = subnetsPerStep is null ? [1, 2, 4, 4] : [.. subnetsPerStep];
        if (SubnetsPerStep.Length != 4 || SubnetsPerStep.Any(k => k < 1))
            throw new ArgumentOutOfRangeException(nameof(subnetsPerStep), $"needs 4 counts >= 1 (kernel, depth, expand, resolution), got {SubnetsPerStep.Length}");
    }

    public float DistillWeight { get; }
    public bool ResetOptimizerPerPhase { get; }

    /// <summary>Sub-networks per step in the kernel, depth, expand and resolution phases (OFA: 1, 2, 4; 4).</summary>
    public ImmutableArray<int> SubnetsPerStep { get; }

    public string Name => "progressive";

    /// <summary>Without a teacher (<see cref="DistillWeight"/> = 0) the sub-networks learn from the labels only.</summary>
    public bool NeedsFrozenTeacher => DistillWeight > 0;

    public IReadOnlyList<TrainingPhase> Phases(ArchSpace space, int epochs)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        var kernels = space.KernelChoices;
        var depths = space.DepthChoices.OrderDescending().ToArray();
        var expands = space.ExpandChoices.OrderDescending().ToArray();
        var input = space.Input;
        var fixedInput = input with { MelBinChoices = [input.MelBinSet.Max()], HopFactorChoices = [input.HopFactorSet.Min()] };
        var current = space with { DepthChoices = [depths[0]], ExpandChoices = [expands[0]], Input = fixedInput };
        var raw = new List<(string Name, int Weight, float Lr, ArchSpace Space, int K, ImmutableArray<int>? Sort)>
        {
            ("kernel", MainPhaseWeight, KernelLearningRateScale, current, SubnetsPerStep[0], null),
        };
        for (int n = 2; n <= depths.Length; n++)
        {
            bool last = n == depths.Length;
            current = current with { DepthChoices = [.. depths.Take(n).Order()] };
            raw.Add(($"depth{n - 1}", last ? MainPhaseWeight : IntermediatePhaseWeight, last ? MainLearningRateScale : IntermediateLearningRateScale, current, SubnetsPerStep[1], null));
        }
        for (int n = 2; n <= expands.Length; n++)
        {
            bool last = n == expands.Length;
            current = current with { ExpandChoices = [.. expands.Take(n).Order()] };
            // The widths trained so far: every ratio of the previous phase.
            ImmutableArray<int> trained = [.. expands.Take(n - 1)];
            raw.Add(($"expand{n - 1}", last ? MainPhaseWeight : IntermediatePhaseWeight, last ? MainLearningRateScale : IntermediateLearningRateScale, current, SubnetsPerStep[2], trained));
        }
        if (input.MelBinSet.Length > 1 || input.HopFactorSet.Length > 1)
        {
            current = current with { Input = input };
            raw.Add(("resolution", MainPhaseWeight, MainLearningRateScale, current, SubnetsPerStep[3], null));
        }
        if (epochs < raw.Count)
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, $"progressive shrinking of this space has {raw.Count} phases ({string.Join(", ", raw.Select(r => r.Name))}) and needs at least {raw.Count} epochs");
        var lengths = Apportion(epochs, raw.Select(r => r.Weight).ToArray());
        return raw.Select((r, i) => new TrainingPhase(r.Name, lengths[i], r.Lr, r.Space,
            [.. Enumerable.Range(1, r.K).Select(k => $"subnet{k}")], r.Sort, ResetOptimizerPerPhase && i > 0)).ToList();
    }

    public IReadOnlyList<SubnetTask> Plan(TrainingPhase phase, Random sampling)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(sampling);
        var target = DistillWeight > 0 ? SubnetTarget.LabelsAndTeacher : SubnetTarget.Labels;
        return phase.Roles.Select(role => new SubnetTask(role, ArchSampling.Sample(phase.Space, sampling), target,
            IsTeacher: false, UseDropout: false, DistillWeight)).ToList();
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"progressive(kd={DistillWeight:R}, reset={ResetOptimizerPerPhase}, k={string.Join(",", SubnetsPerStep)})");

    /// <summary>Splits <paramref name="total"/> into parts proportional to <paramref name="weights"/>, each at least 1,
    /// by largest remainders (ties to the earlier phase).</summary>
    internal static int[] Apportion(int total, int[] weights)
    {
        int n = weights.Length, spare = total - n;
        double sum = weights.Sum();
        var parts = new int[n];
        var remainders = new double[n];
        int given = 0;
        for (int i = 0; i < n; i++)
        {
            double exact = spare * weights[i] / sum;
            parts[i] = 1 + (int)Math.Floor(exact);
            remainders[i] = exact - Math.Floor(exact);
            given += parts[i];
        }
        foreach (int i in Enumerable.Range(0, n).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take(total - given)) parts[i]++;
        return parts;
    }
}
