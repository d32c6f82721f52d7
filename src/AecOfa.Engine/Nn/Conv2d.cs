using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Nn;

/// <summary>
/// 2-D convolution layer over NCHW with weight (out, in/groups, k, k), He fan-out init and optional bias (zero
/// init). Padding defaults to "same" for odd kernels (k/2).
/// </summary>
public sealed class Conv2d : Module, ILayer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = -1, int groups = 1, bool bias = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || groups < 1 || padding < -1)
            throw new ArgumentException($"Conv2d: invalid layer in={inChannels} out={outChannels} kernel={kernelSize} stride={stride} padding={padding} groups={groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: groups={groups} must divide in={inChannels} and out={outChannels}.", nameof(groups));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding == -1 ? kernelSize / 2 : padding;
        Groups = groups;
        Weight = RegisterParameter("weight", Parameter.Zeros(new[] { outChannels, inChannels / groups, kernelSize, kernelSize }));
        Init.KaimingNormalFanOut(Weight, rng, groups);
        if (bias) Bias = RegisterParameter("bias", Parameter.Zeros(new[] { outChannels }, noWeightDecay: true));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Groups { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Tensor Forward(Tensor x) => TensorOps.Conv2d(x, Weight, Bias, Stride, Padding, Groups);
}
