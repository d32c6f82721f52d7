using System.Numerics;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class SpaceSummaryTests
{
    [Fact]
    public void Default_summary_reports_the_reference_extremes_and_the_small_regime()
    {
        var summary = SpaceSummary.Create(ArchSpace.Default);
        Assert.Equal(4, summary.Rows.Count);
        var space = summary.Rows[0];
        Assert.Equal(BigInteger.Pow(7371, 5), space.Subnets);
        Assert.Equal("64x100", space.Input);
        Assert.Equal((17_536_992L, 2_142_314L), (space.Smallest.Macs, space.Smallest.Params));
        Assert.Equal((80_916_672L, 6_396_282L), (space.Largest.Macs, space.Largest.Params));

        var half = summary.Rows[1];
        Assert.Equal("width x0.5", half.Label);
        Assert.Equal((5_464_064L, 552_714L), (half.Smallest.Macs, half.Smallest.Params));
        Assert.Equal((30_619_136L, 1_777_106L), (half.Largest.Macs, half.Largest.Params));

        var halfRes = summary.Rows[2];
        Assert.Equal("32x50", halfRes.Input);
        Assert.Equal((5_805_024L, 24_552_000L), (halfRes.Smallest.Macs, halfRes.Largest.Macs));

        var tiny = summary.Rows[3];
        Assert.Equal((1_738_640L, 552_714L), (tiny.Smallest.Macs, tiny.Smallest.Params));
        Assert.Equal(8_917_280L, tiny.Largest.Macs);

        string text = summary.ToText();
        Assert.Contains("21,758,655,492,572,485,851", text.Replace("\u202f", ","));
        Assert.Contains("80.92", text);
        Assert.Contains("17.54", text);
        Assert.Contains("6,396,282", text);
    }

    [Fact]
    public void Elastic_resolution_space_counts_resolution_genes()
    {
        var elastic = ArchSpace.Default with { Input = new InputSpec { MelBinChoices = [32, 64], HopFactorChoices = [1, 2] } };
        var summary = SpaceSummary.Create(elastic);
        Assert.Equal("elastic", summary.Rows[0].Input);
        Assert.Equal(BigInteger.Pow(7371, 5) * 4, summary.Rows[0].Subnets);
        Assert.Equal(5_805_024L, summary.Rows[0].Smallest.Macs); // 32 mel x 50 frames
        Assert.Equal(80_916_672L, summary.Rows[0].Largest.Macs);
        Assert.Equal(BigInteger.Pow(7371, 5), summary.Rows[1].Subnets); // fixed-input row
    }
}
