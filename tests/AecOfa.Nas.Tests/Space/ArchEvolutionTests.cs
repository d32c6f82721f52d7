using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class ArchEvolutionTests
{
    private static readonly ArchSpace Elastic = ArchSpace.Default with
    {
        Input = new InputSpec { MelBinChoices = [32, 64], HopFactorChoices = [1, 2] },
    };

    [Fact]
    public void Mutation_with_probability_zero_returns_an_equal_config()
    {
        var rng = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            var c = ArchSampling.Sample(Elastic, rng);
            Assert.Equal(c, ArchEvolution.Mutate(Elastic, c, 0.0, rng));
        }
    }

    [Fact]
    public void Mutation_changes_about_p_of_the_genes_and_stays_valid()
    {
        var rng = new Random(2);
        const double p = 0.3;
        int changedKernels = 0, keptActiveKernels = 0, newlyActive = 0;
        for (int i = 0; i < 1000; i++)
        {
            var parent = ArchSampling.Sample(Elastic, rng);
            var child = ArchEvolution.Mutate(Elastic, parent, p, rng);
            child.Validate(Elastic);
            for (int s = 0; s < 5; s++)
                for (int b = 0; b < child.Depth(s); b++)
                {
                    Assert.NotEqual(0, child.Kernel(s, b)); // newly active slots got genes
                    if (b >= parent.Depth(s)) { newlyActive++; continue; }
                    keptActiveKernels++;
                    if (child.Kernel(s, b) != parent.Kernel(s, b)) changedKernels++;
                }
        }
        // A resampled gene changes with probability 2/3, so about p * 2/3 of kept kernels change.
        double rate = (double)changedKernels / keptActiveKernels;
        Assert.InRange(rate, p * 2 / 3 - 0.03, p * 2 / 3 + 0.03);
        Assert.True(newlyActive > 0);
    }

    [Fact]
    public void Mutation_rejects_bad_probability_and_invalid_parent()
    {
        var c = ArchConfig.Max(Elastic);
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchEvolution.Mutate(Elastic, c, 1.5, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchEvolution.Mutate(Elastic, c, double.NaN, new Random(0)));
        Assert.Throws<ArgumentException>(() => ArchEvolution.Mutate(Elastic, c.WithResolution(40, 1), 0.1, new Random(0)));
    }

    [Fact]
    public void Crossover_takes_each_gene_from_a_parent()
    {
        var rng = new Random(3);
        int fromA = 0, fromB = 0;
        for (int i = 0; i < 500; i++)
        {
            var a = ArchSampling.Sample(Elastic, rng);
            var b = ArchSampling.Sample(Elastic, rng);
            var child = ArchEvolution.Crossover(Elastic, a, b, rng);
            child.Validate(Elastic);
            Assert.Contains(child.MelBins, new[] { a.MelBins, b.MelBins });
            Assert.Contains(child.HopFactor, new[] { a.HopFactor, b.HopFactor });
            for (int s = 0; s < 5; s++)
            {
                Assert.Contains(child.Depth(s), new[] { a.Depth(s), b.Depth(s) });
                for (int blk = 0; blk < child.Depth(s); blk++)
                {
                    bool inA = a.IsActive(s, blk), inB = b.IsActive(s, blk);
                    if (inA && inB)
                    {
                        Assert.Contains(child.Kernel(s, blk), new[] { a.Kernel(s, blk), b.Kernel(s, blk) });
                        Assert.Contains(child.Expand(s, blk), new[] { a.Expand(s, blk), b.Expand(s, blk) });
                        if (a.Kernel(s, blk) != b.Kernel(s, blk))
                        {
                            if (child.Kernel(s, blk) == a.Kernel(s, blk)) fromA++; else fromB++;
                        }
                    }
                    else if (inA) Assert.Equal(a.Kernel(s, blk), child.Kernel(s, blk));
                    else if (inB) Assert.Equal(b.Kernel(s, blk), child.Kernel(s, blk));
                }
            }
        }
        double share = (double)fromA / (fromA + fromB);
        Assert.InRange(share, 0.45, 0.55);
    }

    [Fact]
    public void Crossover_of_equal_parents_is_that_parent()
    {
        var rng = new Random(4);
        for (int i = 0; i < 50; i++)
        {
            var a = ArchSampling.Sample(Elastic, rng);
            Assert.Equal(a, ArchEvolution.Crossover(Elastic, a, a, rng));
        }
    }

    [Fact]
    public void Shrink_to_fit_lands_inside_a_tight_budget_by_single_steps_and_keeps_fitting_configs()
    {
        var counter = new AecOfa.Nas.Flops.FlopsCounter(Elastic);
        long min = counter.Count(ArchConfig.Min(Elastic)).Macs;
        long budget = min + (long)(0.4 * min);
        var rng = new Random(5);
        int changed = 0;
        for (int i = 0; i < 200; i++)
        {
            var sample = ArchSampling.Sample(Elastic, rng);
            var fitted = ArchEvolution.ShrinkToFit(Elastic, sample, c => counter.Count(c).Macs <= budget, rng);
            fitted.Validate(Elastic);
            Assert.True(counter.Count(fitted).Macs <= budget);
            // Only shrinking moves: never deeper, wider, larger kernels, more mel bins or a smaller hop.
            Assert.True(fitted.MelBins <= sample.MelBins && fitted.HopFactor >= sample.HopFactor);
            for (int s = 0; s < Elastic.StageCount; s++)
            {
                Assert.True(fitted.Depth(s) <= sample.Depth(s));
                for (int b = 0; b < fitted.Depth(s); b++)
                    Assert.True(fitted.Kernel(s, b) <= sample.Kernel(s, b) && fitted.Expand(s, b) <= sample.Expand(s, b));
            }
            if (!fitted.Equals(sample)) changed++;
        }
        Assert.True(changed > 150, $"only {changed} of 200 samples needed shrinking: the budget does not bite");
        var fits = ArchConfig.Uniform(Elastic, 2, 3, 3);
        Assert.Same(fits, ArchEvolution.ShrinkToFit(Elastic, fits, _ => true, rng)); // a fitting config is returned as is
        Assert.Throws<InvalidOperationException>(() => ArchEvolution.ShrinkToFit(Elastic, ArchConfig.Max(Elastic), _ => false, rng));
    }
}
