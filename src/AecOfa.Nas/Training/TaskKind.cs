namespace AecOfa.Nas.Training;

/// <summary>What the labels of a dataset mean, which decides the losses and the headline metric.</summary>
public enum TaskKind
{
    /// <summary>Any number of labels per clip (AudioSet, FSD50K, the synthetic events): sigmoid binary cross-entropy;
    /// distillation against the teacher's sigmoid outputs; headline metric mAP.</summary>
    MultiLabel,

    /// <summary>Exactly one label per clip (ESC-50, Speech Commands, FSDD): softmax cross-entropy with optional label
    /// smoothing; distillation by KL divergence at a temperature; headline metric top-1 accuracy.</summary>
    SingleLabel,
}
