namespace AecOfa.Nas.Metrics;

/// <summary>Per-class and averaged scores of a multi-label (or one-hot single-label) evaluation.</summary>
public sealed record ClassificationReport(
    double MeanAveragePrecision,
    double MeanRocAuc,
    double DPrime,
    double[] AveragePrecisionPerClass,
    double[] RocAucPerClass,
    int[] SkippedClasses)
{
    /// <summary>Single-label sets only (every target row has exactly one positive): the fraction of examples whose
    /// highest score is their class; NaN for multi-label sets.</summary>
    public double Top1Accuracy { get; init; } = double.NaN;

    /// <summary>Single-label sets only: the unweighted mean over classes of F1 of the arg-max decision (a class never
    /// predicted and never present is skipped); NaN for multi-label sets.</summary>
    public double MacroF1 { get; init; } = double.NaN;

    /// <summary>Single-label sets only: per-class F1 of the arg-max decision (NaN for a class never predicted and never present).</summary>
    public double[] F1PerClass { get; init; } = [];

    /// <summary>Examples evaluated.</summary>
    public int Examples { get; init; }

    /// <summary>Whether the targets were single-label (top-1 and F1 are defined).</summary>
    public bool IsSingleLabel => !double.IsNaN(Top1Accuracy);

    public override string ToString() =>
        (IsSingleLabel ? $"top-1 {Top1Accuracy:F4}  macro F1 {MacroF1:F4}  " : "") +
        $"mAP {MeanAveragePrecision:F4}  mean AUC {MeanRocAuc:F4}  d' {DPrime:F3}" +
        (SkippedClasses.Length > 0 ? $"  ({SkippedClasses.Length} class(es) without positives skipped)" : "");
}

/// <summary>
/// Multi-label metrics as the audio-tagging literature reports them: average precision per class computed like
/// scikit-learn's average_precision_score (step-wise, ties grouped), ROC AUC (ties count one half), their means
/// over classes that have at least one positive (and one negative for AUC), and d' = sqrt(2) * PhiInverse(AUC).
/// </summary>
public static class ClassificationMetrics
{
    /// <param name="scores">N x K scores (any monotone transform of probabilities), row-major.</param>
    /// <param name="targets">N x K targets, 1 for positive and 0 for negative (values >= 0.5 count as positive).</param>
    /// <param name="classes">K, the number of classes.</param>
    public static ClassificationReport Evaluate(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Need at least one class.");
        if (scores.Length != targets.Length || scores.Length % classes != 0)
            throw new ArgumentException($"Scores ({scores.Length}) and targets ({targets.Length}) must both hold N x {classes} values.");
        int n = scores.Length / classes;
        var ap = new double[classes];
        var auc = new double[classes];
        var skipped = new List<int>();
        var s = new float[n];
        var t = new bool[n];
        double apSum = 0, aucSum = 0;
        int apCount = 0, aucCount = 0;
        for (int k = 0; k < classes; k++)
        {
            for (int i = 0; i < n; i++)
            {
                float v = scores[i * classes + k];
                if (float.IsNaN(v)) throw new ArgumentException($"Score of sample {i}, class {k} is NaN.");
                s[i] = v;
                t[i] = targets[i * classes + k] >= 0.5f;
            }
            ap[k] = AveragePrecision(s, t);
            auc[k] = RocAuc(s, t);
            if (double.IsNaN(ap[k])) skipped.Add(k); else { apSum += ap[k]; apCount++; }
            if (!double.IsNaN(auc[k])) { aucSum += auc[k]; aucCount++; }
        }
        double mAp = apCount > 0 ? apSum / apCount : double.NaN;
        double mAuc = aucCount > 0 ? aucSum / aucCount : double.NaN;
        var report = new ClassificationReport(mAp, mAuc, DPrime(mAuc), ap, auc, skipped.ToArray()) { Examples = n };
        if (n > 0 && IsSingleLabel(targets, classes))
        {
            var (top1, macroF1, f1) = ArgMaxScores(scores, targets, classes);
            report = report with { Top1Accuracy = top1, MacroF1 = macroF1, F1PerClass = f1 };
        }
        return report;
    }

    /// <summary>True when every row of <paramref name="targets"/> has exactly one value >= 0.5.</summary>
    public static bool IsSingleLabel(ReadOnlySpan<float> targets, int classes)
    {
        if (targets.Length == 0 || targets.Length % classes != 0) return false;
        for (int i = 0; i < targets.Length / classes; i++)
        {
            int positives = 0;
            foreach (float t in targets.Slice(i * classes, classes)) if (t >= 0.5f) positives++;
            if (positives != 1) return false;
        }
        return true;
    }

    /// <summary>Top-1 accuracy and F1 per class of the arg-max decision (first maximum wins ties), for one-hot targets.</summary>
    public static (double Top1, double MacroF1, double[] F1PerClass) ArgMaxScores(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int classes)
    {
        int n = scores.Length / classes;
        var truePos = new int[classes];
        var predicted = new int[classes];
        var actual = new int[classes];
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            int guess = ArgMax(scores.Slice(i * classes, classes)), label = ArgMax(targets.Slice(i * classes, classes));
            predicted[guess]++;
            actual[label]++;
            if (guess == label) { correct++; truePos[label]++; }
        }
        var f1 = new double[classes];
        double sum = 0;
        int counted = 0;
        for (int k = 0; k < classes; k++)
        {
            if (predicted[k] + actual[k] == 0) { f1[k] = double.NaN; continue; }
            f1[k] = 2.0 * truePos[k] / (predicted[k] + actual[k]);
            sum += f1[k];
            counted++;
        }
        return ((double)correct / n, counted > 0 ? sum / counted : double.NaN, f1);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }

    /// <summary>
    /// AP = sum over distinct score thresholds (descending) of (R_t - R_{t-1}) * P_t; NaN when there is no positive.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        int n = scores.Length;
        int totalPos = 0;
        foreach (bool p in positive) if (p) totalPos++;
        if (totalPos == 0) return double.NaN;
        var order = SortedDescending(scores);
        double ap = 0, prevRecall = 0;
        int tp = 0, seen = 0;
        for (int i = 0; i < n;)
        {
            float threshold = scores[order[i]];
            while (i < n && scores[order[i]] == threshold)
            {
                if (positive[order[i]]) tp++;
                seen++;
                i++;
            }
            double recall = (double)tp / totalPos;
            double precision = (double)tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
        }
        return ap;
    }

    /// <summary>Probability that a random positive outscores a random negative (ties 1/2); NaN if a class is all one kind.</summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        int n = scores.Length;
        var order = SortedDescending(scores);
        long pos = 0, neg = 0;
        foreach (bool p in positive) if (p) pos++; else neg++;
        if (pos == 0 || neg == 0) return double.NaN;
        // Walk groups of equal scores from the top; each negative in a group beats nothing above it.
        double wins = 0;
        long positivesAbove = 0;
        for (int i = 0; i < n;)
        {
            float threshold = scores[order[i]];
            long gPos = 0, gNeg = 0;
            while (i < n && scores[order[i]] == threshold)
            {
                if (positive[order[i]]) gPos++; else gNeg++;
                i++;
            }
            wins += gNeg * (positivesAbove + 0.5 * gPos);
            positivesAbove += gPos;
        }
        return wins / ((double)pos * neg);
    }

    /// <summary>d' = sqrt(2) * PhiInverse(AUC), the sensitivity index AudioSet papers report.</summary>
    public static double DPrime(double auc)
    {
        if (double.IsNaN(auc)) return double.NaN;
        double p = Math.Clamp(auc, 1e-12, 1 - 1e-12);
        return Math.Sqrt(2) * MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, p);
    }

    private static int[] SortedDescending(ReadOnlySpan<float> scores)
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        // Stable order for equal keys is irrelevant: ties are grouped by the callers.
        Array.Sort(keys, order);
        Array.Reverse(order);
        return order;
    }
}
