using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

public static partial class TensorOps
{
    /// <summary>
    /// Hinton distillation: T^2 * mean over the N rows of KL(softmax(teacher/T) || softmax(student/T))
    /// (sum over classes, mean over the batch: PyTorch's kl_div reduction "batchmean"). The teacher is a
    /// constant: no gradient flows into it. Gradient w.r.t. the student: T * (q - p) / N where
    /// q = softmax(student/T), p = softmax(teacher/T).
    /// </summary>
    public static Tensor KlDistillation(Tensor studentLogits, Tensor teacherLogits, float temperature)
    {
        const string Loss = "KlDistillation";
        var (n, k) = LossShapes.RequireLogits(Loss, studentLogits);
        ArgumentNullException.ThrowIfNull(teacherLogits);
        if (!ShapeUtil.SameShape(studentLogits.Shape, teacherLogits.Shape))
            throw new ArgumentException($"{Loss}: teacherLogits shape {ShapeUtil.Format(teacherLogits.Shape)} must equal studentLogits shape {ShapeUtil.Format(studentLogits.Shape)}.", nameof(teacherLogits));
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"{Loss}: temperature = {temperature} must be positive and finite.");

        if (!studentLogits.IsOnCpu || !teacherLogits.IsOnCpu) return DeviceOps.KlDistillation(studentLogits, teacherLogits, temperature, n, k);
        double temp = temperature;
        var s = studentLogits.Span;
        var t = teacherLogits.Span;
        double sum = 0;
        for (int r = 0; r < n; r++)
        {
            var sRow = s.Slice(r * k, k);
            var tRow = t.Slice(r * k, k);
            double lseS = LogSumExp(sRow, temp), lseT = LogSumExp(tRow, temp);
            for (int j = 0; j < k; j++)
            {
                double logP = tRow[j] / temp - lseT;
                double logQ = sRow[j] / temp - lseS;
                double p = Math.Exp(logP);
                if (p > 0) sum += p * (logP - logQ); // 0 log 0 = 0
            }
        }
        var y = Tensor.Scalar((float)(sum / n * temp * temp));
        return Autograd.Record(y, Loss, new[] { studentLogits }, o =>
        {
            double scale = (double)o.Grad!.Data[0] * temp / n;
            var ss = studentLogits.Span;
            var ts = teacherLogits.Span;
            var g = studentLogits.GradForAccumulate();
            for (int r = 0; r < n; r++)
            {
                var sRow = ss.Slice(r * k, k);
                var tRow = ts.Slice(r * k, k);
                double lseS = LogSumExp(sRow, temp), lseT = LogSumExp(tRow, temp);
                for (int j = 0; j < k; j++)
                {
                    double q = Math.Exp(sRow[j] / temp - lseS);
                    double p = Math.Exp(tRow[j] / temp - lseT);
                    g[r * k + j] += (float)((q - p) * scale);
                }
            }
        });
    }
}
