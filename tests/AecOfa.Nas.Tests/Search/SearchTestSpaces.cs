using AecOfa.Nas.Flops;
using AecOfa.Nas.Search;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Search;

/// <summary>Spaces, budgets and cheap synthetic fitness functions shared by the search tests.</summary>
internal static class SearchTestSpaces
{
    /// <summary>The demo's space: the default OFA space at width 0.25 on 64 × 101 log-mel input, elastic resolution.</summary>
    public static readonly ArchSpace Demo = ArchSpace.Default with
    {
        WidthMultiplier = 0.25,
        Input = new InputSpec { MelBins = 64, Frames = 101, MelBinChoices = [64, 48, 32], HopFactorChoices = [1, 2] },
        Classes = 11,
    };

    /// <summary>The q-quantile of MACs over <paramref name="samples"/> per-gene random sub-networks.</summary>
    public static long MacsQuantile(ArchSpace space, double q, int samples = 2000, int seed = 5)
    {
        var counter = new FlopsCounter(space);
        var rng = new Random(seed);
        var macs = Enumerable.Range(0, samples).Select(_ => counter.Macs(ArchSampling.Sample(space, rng))).Order().ToArray();
        return macs[(int)(q * (samples - 1))];
    }

    /// <summary>The q-quantile of parameters over per-gene random sub-networks.</summary>
    public static long ParamsQuantile(ArchSpace space, double q, int samples = 2000, int seed = 5)
    {
        var counter = new FlopsCounter(space);
        var rng = new Random(seed);
        var prm = Enumerable.Range(0, samples).Select(_ => counter.Params(ArchSampling.Sample(space, rng))).Order().ToArray();
        return prm[(int)(q * (samples - 1))];
    }

    /// <summary>
    /// A per-gene reward with a known unique optimum: one point for each gene equal to the target's (every stage
    /// depth, the kernel and expand of each slot active in both, the two resolution genes). Only the target scores
    /// <see cref="Optimum"/>. Records every config it is asked about, and fails on a repeated question.
    /// </summary>
    public sealed class TargetMatchFitness(ArchConfig target) : IFitness
    {
        private readonly HashSet<ArchConfig> _asked = new();

        public ArchConfig Target { get; } = target;
        public int Calls { get; private set; }
        public double Optimum => Target.StageCount + 2 * Target.ActiveBlocks + 2;

        public double Evaluate(ArchConfig config)
        {
            Calls++;
            Assert.True(_asked.Add(config), $"fitness asked twice about {config}");
            return Score(config);
        }

        public double Score(ArchConfig c)
        {
            double score = (c.MelBins == Target.MelBins ? 1 : 0) + (c.HopFactor == Target.HopFactor ? 1 : 0);
            for (int s = 0; s < c.StageCount; s++)
            {
                if (c.Depth(s) == Target.Depth(s)) score++;
                for (int b = 0; b < Math.Min(c.Depth(s), Target.Depth(s)); b++)
                {
                    if (c.Kernel(s, b) == Target.Kernel(s, b)) score++;
                    if (c.Expand(s, b) == Target.Expand(s, b)) score++;
                }
            }
            return score;
        }
    }

    /// <summary>A target that fits <paramref name="constraint"/> and is not trivially small (drawn at random).</summary>
    public static ArchConfig FittingTarget(ArchSpace space, IConstraint constraint, int seed)
    {
        // Not new Random(seed): a search run with the same seed would draw the target as its first sample.
        var rng = new Random(unchecked(seed * 7919 + 104_729));
        while (true)
        {
            var c = ArchSampling.Sample(space, rng);
            if (constraint.IsSatisfied(c) && c.ActiveBlocks >= 12) return c;
        }
    }

    /// <summary>Synchronous progress sink (Progress&lt;T&gt; posts to the thread pool).</summary>
    public sealed class ProgressLog : IProgress<SearchProgress>
    {
        public List<SearchProgress> Reports { get; } = new();
        public void Report(SearchProgress value) => Reports.Add(value);
    }
}
