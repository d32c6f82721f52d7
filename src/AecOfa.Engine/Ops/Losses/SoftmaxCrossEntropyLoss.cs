using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

public static partial class TensorOps
{
    /// <summary>
    /// Mean over the N rows of -sum_j q_j log softmax(logits)_j with q = (1 - eps) one_hot(label) + eps / K
    /// (single-label task loss; eps = <paramref name="labelSmoothing"/>, as PyTorch's cross_entropy).
    /// Gradient: (softmax - q) / N.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, int[] labels, float labelSmoothing = 0f)
    {
        const string Loss = "SoftmaxCrossEntropy";
        var (n, k) = LossShapes.RequireLogits(Loss, logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != n)
            throw new ArgumentException($"{Loss}: {labels.Length} labels for {n} rows of logits {ShapeUtil.Format(logits.Shape)}.", nameof(labels));
        for (int r = 0; r < n; r++)
        {
            if ((uint)labels[r] >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(labels), $"{Loss}: labels[{r}] = {labels[r]} is outside the {k} classes [0, {k - 1}].");
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{Loss}: labelSmoothing = {labelSmoothing} must be in [0, 1].");
        if (!logits.IsOnCpu) return DeviceOps.SoftmaxCrossEntropy(logits, labels, labelSmoothing, n, k);

        var x = logits.Span;
        double eps = labelSmoothing;
        double sum = 0;
        for (int r = 0; r < n; r++)
        {
            var row = x.Slice(r * k, k);
            double lse = LogSumExp(row, 1.0);
            double rowSum = 0;
            for (int j = 0; j < k; j++) rowSum += row[j];
            // -sum_j q_j (x_j - lse) = lse - (1-eps) x_y - eps/K sum_j x_j
            sum += lse - (1.0 - eps) * row[labels[r]] - eps / k * rowSum;
        }
        var y = Tensor.Scalar((float)(sum / n));
        var savedLabels = (int[])labels.Clone();
        return Autograd.Record(y, Loss, new[] { logits }, o =>
        {
            double scale = (double)o.Grad!.Data[0] / n;
            var xs = logits.Span;
            var g = logits.GradForAccumulate();
            for (int r = 0; r < n; r++)
            {
                var row = xs.Slice(r * k, k);
                double lse = LogSumExp(row, 1.0);
                for (int j = 0; j < k; j++)
                {
                    double q = eps / k + (j == savedLabels[r] ? 1.0 - eps : 0.0);
                    g[r * k + j] += (float)((Math.Exp(row[j] - lse) - q) * scale);
                }
            }
        });
    }

    /// <summary>log sum_j exp(row_j / temperature) in float64, shifted by the maximum (stable).</summary>
    internal static double LogSumExp(ReadOnlySpan<float> row, double temperature)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < row.Length; j++) max = Math.Max(max, row[j] / temperature);
        double s = 0;
        for (int j = 0; j < row.Length; j++) s += Math.Exp(row[j] / temperature - max);
        return max + Math.Log(s);
    }
}
