using AecOfa.Audio.Augmentation;

namespace AecOfa.Audio.Tests.Augmentation;

public sealed class AugmentationTests
{
    private static float[] Ramp(int n) => Enumerable.Range(1, n).Select(i => (float)i).ToArray();

    [Fact]
    public void SpecAugmentIsDeterministicForASeedAndVariesAcrossSeeds()
    {
        var aug = new SpecAugment(2, 10, 2, 8);
        var a = Ramp(64 * 101);
        var b = Ramp(64 * 101);
        var c = Ramp(64 * 101);
        var ma = aug.Apply(a, 64, new Random(42));
        var mb = aug.Apply(b, 64, new Random(42));
        aug.Apply(c, 64, new Random(43));
        Assert.Equal(a, b);
        Assert.Equal(ma, mb);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(7, 33, 2, 3, 3, 50)] // widths larger than the matrix are clipped
    [InlineData(64, 101, 2, 20, 2, 10)]
    [InlineData(1, 1, 1, 5, 1, 5)]
    public void SpecAugmentMasksStayInBoundsAndOnlyMaskedCellsChange(int bins, int frames, int tm, int tw, int fm, int fw)
    {
        var aug = new SpecAugment(tm, tw, fm, fw, fillValue: -7);
        for (int seed = 0; seed < 50; seed++)
        {
            var x = Ramp(bins * frames);
            var masks = aug.Apply(x, bins, new Random(seed));
            Assert.Equal(tm + fm, masks.Count);
            var masked = new bool[bins * frames];
            foreach (var m in masks)
            {
                int size = m.Axis == MaskAxis.Time ? frames : bins;
                int max = m.Axis == MaskAxis.Time ? tw : fw;
                Assert.InRange(m.Width, 0, Math.Min(max, size));
                Assert.InRange(m.Start, 0, size - m.Width);
                for (int b = 0; b < bins; b++)
                {
                    for (int t = 0; t < frames; t++)
                    {
                        bool inside = m.Axis == MaskAxis.Time ? t >= m.Start && t < m.Start + m.Width : b >= m.Start && b < m.Start + m.Width;
                        masked[b * frames + t] |= inside;
                    }
                }
            }

            for (int i = 0; i < x.Length; i++)
            {
                Assert.Equal(masked[i] ? -7f : i + 1, x[i]);
            }
        }
    }

    [Fact]
    public void MixupMixesFeaturesAndMultiLabelVectorsWithTheSameLambda()
    {
        var mix = new Mixup(0.4);
        float[] fa = [1, 2, 3, 4], fb = [-1, 0, 5, 9];
        float[] la = [1, 0, 1, 0, 0], lb = [0, 0, 1, 1, 0]; // multi-label
        var fo = new float[4];
        var lo = new float[5];
        float lambda = mix.Mix(fa, fb, la, lb, fo, lo, new Random(3));
        Assert.InRange(lambda, 0f, 1f);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(lambda * fa[i] + (1 - lambda) * fb[i], fo[i], 6);
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(lambda * la[i] + (1 - lambda) * lb[i], lo[i], 6);
            Assert.InRange(lo[i], 0f, 1f);
        }

        Assert.Equal(1f, lo[2], 6); // a class in both stays fully on
        var lo2 = new float[5];
        Assert.Equal(lambda, mix.Mix(fa, fb, la, lb, fo, lo2, new Random(3)));
        Assert.Equal(lo, lo2);
        Assert.Throws<ArgumentException>(() => mix.Mix(fa, fb, la, [1f], fo, lo, new Random(1)));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.2)]
    [InlineData(5.0)]
    public void LambdaFollowsSymmetricBeta(double alpha)
    {
        var mix = new Mixup(alpha);
        var rng = new Random(11);
        const int n = 20000;
        var xs = Enumerable.Range(0, n).Select(_ => mix.SampleLambda(rng)).ToArray();
        Assert.All(xs, x => Assert.InRange(x, 0.0, 1.0));
        double mean = xs.Average();
        double variance = xs.Sum(x => (x - mean) * (x - mean)) / n;
        double expectedVariance = 1 / (4 * (2 * alpha + 1));
        Assert.InRange(mean, 0.5 - 0.015, 0.5 + 0.015);
        Assert.InRange(variance, expectedVariance * 0.93, expectedVariance * 1.07);
    }

    [Fact]
    public void GammaHasItsMean()
    {
        var rng = new Random(5);
        foreach (double k in new[] { 0.3, 1.0, 2.5 })
        {
            double mean = Enumerable.Range(0, 20000).Average(_ => BetaSampler.Gamma(rng, k));
            Assert.InRange(mean, k * 0.96, k * 1.04);
        }
    }

    [Fact]
    public void RandomGainScalesByTheReturnedDecibelsWithinRange()
    {
        var gain = new RandomGain(-6, 3);
        for (int seed = 0; seed < 20; seed++)
        {
            var x = Ramp(10);
            double db = gain.Apply(x, new Random(seed));
            Assert.InRange(db, -6, 3);
            for (int i = 0; i < 10; i++)
            {
                double expected = (i + 1) * Math.Pow(10, db / 20);
                Assert.True(Math.Abs(expected - x[i]) < 1e-6 * expected, $"sample {i}");
            }

            var y = Ramp(10);
            Assert.Equal(db, gain.Apply(y, new Random(seed)));
            Assert.Equal(x, y);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomGain(3, -3));
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(7, -2)]
    [InlineData(7, 16)]
    [InlineData(5, -12)]
    [InlineData(1, 4)]
    public void ShiftMatchesNaiveDefinition(int n, int shift)
    {
        var roll = Ramp(n);
        var fill = Ramp(n);
        TimeShift.Shift(roll, shift, TimeShiftMode.Roll);
        TimeShift.Shift(fill, shift, TimeShiftMode.Fill, -1);
        for (int i = 0; i < n; i++)
        {
            int src = i - shift;
            Assert.Equal(((src % n) + n) % n + 1, roll[i]);
            Assert.Equal(src >= 0 && src < n ? src + 1 : -1, fill[i]);
        }
    }

    [Fact]
    public void FeatureShiftMovesEveryRowByTheSameFramesDeterministically()
    {
        var shift = new TimeShift(4);
        const int bins = 3, frames = 9;
        for (int seed = 0; seed < 20; seed++)
        {
            var x = Ramp(bins * frames);
            int s = shift.ApplyToFeatures(x, bins, new Random(seed));
            Assert.InRange(s, -4, 4);
            for (int b = 0; b < bins; b++)
            {
                for (int t = 0; t < frames; t++)
                {
                    int src = ((t - s) % frames + frames) % frames;
                    Assert.Equal(b * frames + src + 1, x[b * frames + t]);
                }
            }

            var audio = Ramp(50);
            var again = Ramp(50);
            Assert.Equal(shift.ApplyToAudio(audio, new Random(seed)), shift.ApplyToAudio(again, new Random(seed)));
            Assert.Equal(audio, again);
        }
    }
}
