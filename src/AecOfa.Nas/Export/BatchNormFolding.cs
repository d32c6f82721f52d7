using AecOfa.Engine.Nn;

namespace AecOfa.Nas.Export;

/// <summary>A convolution with its batch norm folded in: weight (out, in/groups, k, k) and bias (out).</summary>
public sealed record FoldedConv(float[] Weight, int[] WeightShape, float[] Bias, int Stride, int Padding, int Groups);

/// <summary>
/// Folds an eval-mode batch norm into the convolution before it: with s = gamma / sqrt(running_var + eps),
/// W' = W · s (per output channel) and b' = beta + (b − running_mean) · s, computed in double and rounded once
/// to float. conv(x, W') + b' equals BN(conv(x, W) + b) up to float rounding (the test checks 1e-5).
/// </summary>
public static class BatchNormFolding
{
    public static FoldedConv Fold(Conv2d conv, BatchNorm2d? bn)
    {
        ArgumentNullException.ThrowIfNull(conv);
        int outChannels = conv.OutChannels;
        var w = conv.Weight.Data;
        int perOut = w.Length / outChannels;
        var weight = new float[w.Length];
        var bias = new float[outChannels];
        if (bn is not null && bn.Channels != outChannels)
            throw new ArgumentException($"BatchNormFolding: batch norm has {bn.Channels} channels, the convolution {outChannels} outputs.", nameof(bn));
        for (int o = 0; o < outChannels; o++)
        {
            double b = conv.Bias is { } cb ? cb.Data[o] : 0.0;
            double scale = 1.0, shift = b;
            if (bn is not null)
            {
                scale = bn.Weight.Data[o] / Math.Sqrt((double)bn.RunningVar.Data[o] + bn.Eps);
                shift = bn.Bias.Data[o] + (b - bn.RunningMean.Data[o]) * scale;
            }
            for (int i = 0; i < perOut; i++) weight[o * perOut + i] = (float)(w[o * perOut + i] * scale);
            bias[o] = (float)shift;
        }
        return new FoldedConv(weight, (int[])conv.Weight.Shape.Clone(), bias, conv.Stride, conv.Padding, conv.Groups);
    }
}
