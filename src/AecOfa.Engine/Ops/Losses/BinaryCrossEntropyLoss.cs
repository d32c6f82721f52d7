using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

public static partial class TensorOps
{
    /// <summary>
    /// Mean over all N*K entries of the binary cross-entropy between sigmoid(logits) and targets in [0, 1]
    /// (multi-label task loss; soft targets allowed). Stable form per entry:
    /// max(x, 0) - x*t + log(1 + exp(-|x|)). Gradient: (sigmoid(x) - t) / (N*K). Targets are constants.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
        => BinaryCrossEntropyCore("BinaryCrossEntropyWithLogits", "targets", logits, targets);

    /// <summary>
    /// Distillation loss against a teacher's sigmoid outputs: BCE(student logits, teacher probabilities),
    /// the teacher treated as constant (no gradient flows into it). Same as <see cref="BinaryCrossEntropyWithLogits"/>.
    /// </summary>
    public static Tensor DistillationBce(Tensor studentLogits, Tensor teacherProbabilities)
        => BinaryCrossEntropyCore("DistillationBce", "teacherProbabilities", studentLogits, teacherProbabilities);

    private static Tensor BinaryCrossEntropyCore(string loss, string targetName, Tensor logits, Tensor targets)
    {
        LossShapes.RequireLogits(loss, logits);
        ArgumentNullException.ThrowIfNull(targets, targetName);
        if (!ShapeUtil.SameShape(logits.Shape, targets.Shape))
            throw new ArgumentException($"{loss}: {targetName} shape {ShapeUtil.Format(targets.Shape)} must equal logits shape {ShapeUtil.Format(logits.Shape)}.", targetName);
        if (!logits.IsOnCpu || !targets.IsOnCpu) return DeviceOps.BinaryCrossEntropy(loss, logits, targets);
        LossShapes.RequireProbabilities(loss, targetName, targets);

        var x = logits.Span;
        var t = targets.Span;
        double sum = 0; // float64, index order: deterministic
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            sum += Math.Max(xi, 0.0) - xi * t[i] + Math.Log(1.0 + Math.Exp(-Math.Abs(xi)));
        }
        var y = Tensor.Scalar((float)(sum / x.Length));
        return Autograd.Record(y, loss, new[] { logits }, o =>
        {
            double scale = (double)o.Grad!.Data[0] / logits.Numel;
            var xs = logits.Span;
            var ts = targets.Span;
            var g = logits.GradForAccumulate();
            for (int i = 0; i < g.Length; i++) g[i] += (float)((StableSigmoid(xs[i]) - ts[i]) * scale);
        });
    }

    /// <summary>sigmoid without overflow for large |x|.</summary>
    internal static double StableSigmoid(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }
}
