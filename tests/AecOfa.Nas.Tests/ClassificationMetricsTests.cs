using AecOfa.Nas.Metrics;

namespace AecOfa.Nas.Tests;

public class ClassificationMetricsTests
{
    [Fact]
    public void AveragePrecision_MatchesScikitLearnExample()
    {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
        double ap = ClassificationMetrics.AveragePrecision(new[] { 0.1f, 0.4f, 0.35f, 0.8f }, new[] { false, false, true, true });
        Assert.Equal(5.0 / 6.0, ap, 12);
        Assert.Equal(0.75, ClassificationMetrics.RocAuc(new[] { 0.1f, 0.4f, 0.35f, 0.8f }, new[] { false, false, true, true }), 12);
    }

    [Fact]
    public void TiedScores_AreGroupedAsOneThreshold()
    {
        var s = new[] { 0.5f, 0.5f, 0.5f, 0.2f };
        var y = new[] { true, false, true, false };
        Assert.Equal(2.0 / 3.0, ClassificationMetrics.AveragePrecision(s, y), 12);
        Assert.Equal(0.75, ClassificationMetrics.RocAuc(s, y), 12);
    }

    [Fact]
    public void RandomData_MatchesBruteForceDefinitions()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 1 + rng.Next(40);
            var s = new float[n];
            var y = new bool[n];
            for (int i = 0; i < n; i++) { s[i] = rng.Next(6) / 5f; y[i] = rng.NextDouble() < 0.4; }
            Assert.Equal(BruteAp(s, y), ClassificationMetrics.AveragePrecision(s, y), 10);
            Assert.Equal(BruteAuc(s, y), ClassificationMetrics.RocAuc(s, y), 10);
        }
    }

    [Fact]
    public void Evaluate_SkipsClassesWithoutPositives_AndReportsThem()
    {
        // 3 samples x 2 classes; class 1 has no positive.
        var scores = new[] { 0.9f, 0.1f, 0.2f, 0.3f, 0.8f, 0.7f };
        var targets = new[] { 1f, 0f, 0f, 0f, 1f, 0f };
        var r = ClassificationMetrics.Evaluate(scores, targets, 2);
        Assert.Equal(new[] { 1 }, r.SkippedClasses);
        Assert.Equal(1.0, r.MeanAveragePrecision, 12);
        Assert.True(double.IsNaN(r.AveragePrecisionPerClass[1]));
    }

    [Fact]
    public void DPrime_IsZeroAtChance_AndGrowsWithAuc()
    {
        Assert.Equal(0.0, ClassificationMetrics.DPrime(0.5), 9);
        Assert.Equal(Math.Sqrt(2) * 1.0, ClassificationMetrics.DPrime(0.8413447460685429), 6);
    }

    [Fact]
    public void Evaluate_RejectsMismatchedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Evaluate(new float[6], new float[4], 2));
        Assert.Contains("N x 2", e.Message);
    }

    // Definitions written independently: AP over each distinct threshold; AUC over all pairs.
    private static double BruteAp(float[] s, bool[] y)
    {
        int pos = y.Count(b => b);
        if (pos == 0) return double.NaN;
        double ap = 0, prevR = 0;
        foreach (float th in s.Distinct().OrderByDescending(v => v))
        {
            int tp = 0, k = 0;
            for (int i = 0; i < s.Length; i++) if (s[i] >= th) { k++; if (y[i]) tp++; }
            double r = (double)tp / pos;
            ap += (r - prevR) * tp / k;
            prevR = r;
        }
        return ap;
    }

    private static double BruteAuc(float[] s, bool[] y)
    {
        double wins = 0; long pairs = 0;
        for (int i = 0; i < s.Length; i++)
            for (int j = 0; j < s.Length; j++)
                if (y[i] && !y[j]) { pairs++; wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0; }
        return pairs == 0 ? double.NaN : wins / pairs;
    }
}
