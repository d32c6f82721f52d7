using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Space;

public class ChannelsTests
{
    // Expected values printed by python3 with /work/shared/peers/flops.py's md().
    [Theory]
    [InlineData(1, 8)] [InlineData(3, 8)] [InlineData(4, 8)] [InlineData(7.9, 8)] [InlineData(8, 8)]
    [InlineData(11.9, 16)] [InlineData(12, 16)] [InlineData(16, 16)] [InlineData(19.9, 24)] [InlineData(20, 24)]
    [InlineData(28, 32)] [InlineData(36, 40)] [InlineData(44, 48)] [InlineData(48, 48)] [InlineData(56, 56)]
    [InlineData(57.6, 56)] [InlineData(60, 64)] [InlineData(64, 64)] [InlineData(67.2, 64)] [InlineData(72, 72)]
    [InlineData(100, 104)] [InlineData(119, 120)] [InlineData(120, 120)] [InlineData(480, 480)] [InlineData(640, 640)]
    [InlineData(960, 960)] [InlineData(1280, 1280)] [InlineData(1344, 1344)] [InlineData(2.5, 8)] [InlineData(0.5, 8)]
    public void MakeDivisible_matches_flops_py(double value, int expected) =>
        Assert.Equal(expected, Channels.MakeDivisible(value));

    [Fact]
    public void ExpandedWidth_and_SqueezeWidth_follow_the_reference_formulas()
    {
        Assert.Equal(48, Channels.ExpandedWidth(16, 3));
        Assert.Equal(96, Channels.ExpandedWidth(16, 6));
        Assert.Equal(240, Channels.ExpandedWidth(40, 6));
        Assert.Equal(40, Channels.SqueezeWidth(160)); // 160/4 = 40
        Assert.Equal(32, Channels.SqueezeWidth(120)); // 120/4 = 30 -> 32
        Assert.Equal(8, Channels.SqueezeWidth(18));   // 18/4 = 4 (integer division) -> 8
    }

    [Theory]
    [InlineData(64, 2, 3, 32)] [InlineData(100, 2, 3, 50)] [InlineData(7, 2, 3, 4)] [InlineData(7, 2, 7, 4)]
    [InlineData(5, 1, 7, 5)] [InlineData(1, 2, 5, 1)] [InlineData(33, 2, 5, 17)]
    public void ConvOutput_pads_half_the_kernel(int n, int stride, int kernel, int expected) =>
        Assert.Equal(expected, Channels.ConvOutput(n, stride, kernel));
}
