namespace AecOfa.Nas.Space;

/// <summary>Non-linearity of a stage (MobileNetV3 uses ReLU early and h-swish later).</summary>
public enum Activation
{
    Relu,
    Hswish,
}
