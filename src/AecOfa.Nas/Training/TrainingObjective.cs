using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Training;

/// <summary>
/// The losses of one batch for the run's task kind:
///   multi-label — label loss BCE with logits on the multi-hot targets; distillation BCE against the teacher's
///   sigmoid outputs; both × classes when <see cref="TrainerOptions.SumOverClasses"/>;
///   single-label — softmax cross-entropy on the arg-max label (with label smoothing); distillation by KL divergence
///   at <see cref="TrainerOptions.DistillTemperature"/> (× T², Hinton).
/// The teacher is always given as logits (detached or computed without a tape).
/// </summary>
internal sealed class TrainingObjective
{
    private readonly TrainerOptions _options;
    private readonly int _classes;
    private readonly Tensor _targets;
    private readonly ComputeDevice _device;
    private Tensor? _deviceTargets;
    private int[]? _labels;
    private (Tensor Logits, Tensor Probabilities)? _sigmoid;

    /// <param name="options">The run's loss settings (task kind, label smoothing, temperature, sum over classes).</param>
    /// <param name="classes">Number of classes of the logits.</param>
    /// <param name="targets">The batch's targets on the host (labels are read there).</param>
    /// <param name="device">Where the logits live (default the host): multi-label targets are moved there once per step.</param>
    public TrainingObjective(TrainerOptions options, int classes, Tensor targets, ComputeDevice? device = null)
    {
        _options = options;
        _classes = classes;
        _targets = targets;
        _device = device ?? ComputeDevice.Cpu;
    }

    public Tensor LabelLoss(Tensor logits)
    {
        if (_options.Task == TaskKind.SingleLabel) return TensorOps.SoftmaxCrossEntropy(logits, Labels(), _options.LabelSmoothing);
        return SumOverClasses(TensorOps.BinaryCrossEntropyWithLogits(logits, _deviceTargets ??= _targets.ToDevice(_device)));
    }

    public Tensor DistillLoss(Tensor logits, Tensor teacherLogits)
    {
        if (_options.Task == TaskKind.SingleLabel) return TensorOps.KlDistillation(logits, teacherLogits, _options.DistillTemperature);
        if (_sigmoid is not { } cached || !ReferenceEquals(cached.Logits, teacherLogits))
            _sigmoid = cached = (teacherLogits, TensorOps.Sigmoid(teacherLogits));
        return SumOverClasses(TensorOps.DistillationBce(logits, cached.Probabilities));
    }

    private Tensor SumOverClasses(Tensor loss) => _options.SumOverClasses ? TensorOps.WeightedLossSum((loss, _classes)) : loss;

    /// <summary>Class index per example: the single target >= 0.5 of its row (anything else is an error naming the row).</summary>
    private int[] Labels()
    {
        if (_labels is not null) return _labels;
        int n = _targets.Shape[0];
        var labels = new int[n];
        var t = _targets.Span;
        for (int i = 0; i < n; i++)
        {
            int label = -1, positives = 0;
            for (int k = 0; k < _classes; k++)
                if (t[i * _classes + k] >= 0.5f) { label = k; positives++; }
            if (positives != 1)
                throw new InvalidOperationException(
                    $"Single-label training: example {i} of the batch has {positives} positive labels; a single-label task needs exactly one per clip (use the multi-label task, or turn off mixup).");
            labels[i] = label;
        }
        return _labels = labels;
    }
}
