using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests.Kernels;

public class DeterministicSumTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1027)]
    public void Reductions_MatchNaiveFloat64Loops(int n)
    {
        var rng = new Random(n + 1);
        var a = new float[n];
        var b = new float[n];
        for (int i = 0; i < n; i++) { a[i] = (float)(rng.NextDouble() * 4 - 1); b[i] = (float)(rng.NextDouble() * 2 - 1); }
        double sum = 0, sq = 0, dot = 0, dotc = 0, c = 0.75;
        for (int i = 0; i < n; i++) { sum += a[i]; sq += (a[i] - c) * (a[i] - c); dot += (double)a[i] * b[i]; dotc += b[i] * (a[i] - c); }
        Assert.Equal(sum, DeterministicSum.Sum(a), 1e-12 * Math.Max(1, n));
        Assert.Equal(sq, DeterministicSum.SumSquaredDeviations(a, c), 1e-12 * Math.Max(1, n));
        Assert.Equal(dot, DeterministicSum.Dot(a, b), 1e-12 * Math.Max(1, n));
        Assert.Equal(dotc, DeterministicSum.DotCentered(b, a, c), 1e-12 * Math.Max(1, n));
    }

    [Fact]
    public void Dot_LengthMismatch_Throws()
        => Assert.Throws<ArgumentException>(() => DeterministicSum.Dot(new float[3], new float[4]));
}
