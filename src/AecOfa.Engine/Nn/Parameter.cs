namespace AecOfa.Engine.Nn;

/// <summary>
/// A trainable leaf tensor. <see cref="NoWeightDecay"/> marks BN scales/shifts and biases so optimizers can
/// exclude them from weight decay, as OFA does.
/// </summary>
public sealed class Parameter : Tensor
{
    public Parameter(float[] data, int[] shape, bool noWeightDecay = false) : base(data, shape)
    {
        RequiresGrad = true;
        NoWeightDecay = noWeightDecay;
    }

    public static Parameter Zeros(int[] shape, bool noWeightDecay = false) => new(new float[ShapeUtil.Numel(shape)], shape, noWeightDecay);

    public bool NoWeightDecay { get; init; }
}
