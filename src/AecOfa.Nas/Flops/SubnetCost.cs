namespace AecOfa.Nas.Flops;

/// <summary>Analytic cost of one sub-network on one input size.</summary>
/// <param name="Macs">Multiply-accumulates of one forward pass on one example (convolutions, SE, linear layers;
/// BN, activations, pooling, residual additions not counted — the usual MobileNet/OFA convention).</param>
/// <param name="Params">Trainable parameters: weights, biases, BN scale and shift (running statistics excluded).</param>
/// <param name="FinalHeight">Height (mel axis) of the feature map entering global pooling.</param>
/// <param name="FinalWidth">Width (time axis) of the feature map entering global pooling.</param>
public readonly record struct SubnetCost(long Macs, long Params, int FinalHeight, int FinalWidth)
{
    /// <summary>Floating-point operations, counting a multiply-accumulate as 2.</summary>
    public long Flops => 2 * Macs;
}
