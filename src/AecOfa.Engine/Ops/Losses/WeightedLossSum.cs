using AecOfa.Engine.Ops.Device;

namespace AecOfa.Engine.Ops;

public static partial class TensorOps
{
    /// <summary>
    /// sum_i weight_i * loss_i over one-element losses (e.g. 0.1 * label BCE + 0.9 * distillation BCE), summed in
    /// float64 in argument order. Backward adds weight_i * upstream into each loss that requires a gradient.
    /// </summary>
    public static Tensor WeightedLossSum(params (Tensor Loss, float Weight)[] terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Length == 0) throw new ArgumentException("WeightedLossSum needs at least one term.", nameof(terms));
        double sum = 0;
        var inputs = new Tensor[terms.Length];
        for (int i = 0; i < terms.Length; i++)
        {
            var (loss, weight) = terms[i];
            ArgumentNullException.ThrowIfNull(loss, $"terms[{i}].Loss");
            if (loss.Numel != 1)
                throw new ArgumentException($"WeightedLossSum: terms[{i}] has shape {ShapeUtil.Format(loss.Shape)}; losses must be one-element tensors.", nameof(terms));
            if (!float.IsFinite(weight))
                throw new ArgumentException($"WeightedLossSum: terms[{i}] has weight {weight}; weights must be finite.", nameof(terms));
            inputs[i] = loss;
        }
        var weights = terms.Select(t => t.Weight).ToArray();
        if (!inputs[0].IsOnCpu) return DeviceOps.WeightedLossSum(inputs, weights);
        for (int i = 0; i < inputs.Length; i++) sum += (double)weights[i] * inputs[i].Data[0];
        var y = Tensor.Scalar((float)sum);
        return Autograd.Record(y, "WeightedLossSum", inputs, o =>
        {
            float g = o.Grad!.Data[0];
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGrad) inputs[i].GradForAccumulate()[0] += weights[i] * g;
        });
    }
}
