using AecOfa.Engine.Kernels.Gpu;
using AecOfa.Engine.Nn;

namespace AecOfa.Engine.Optim;

/// <summary>
/// Adam with decoupled weight decay as PyTorch's torch.optim.AdamW (amsgrad off):
/// p *= 1 - lr*wd; m = b1*m + (1-b1)*g (as lerp); v = b2*v + (1-b2)*g^2;
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), t = this parameter's update count.
/// </summary>
public sealed class AdamW : Optimizer
{
    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private static readonly string[] Names = { ExpAvg, ExpAvgSq };

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, float learningRate = 1e-3f, float beta1 = 0.9f,
        float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 1e-2f, bool excludeNoWeightDecayParameters = true)
        : base(parameters, learningRate, weightDecay, excludeNoWeightDecayParameters)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 = {beta1} must be in [0, 1).");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), $"beta2 = {beta2} must be in [0, 1).");
        if (!(epsilon >= 0f) || float.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon = {epsilon} must be finite and >= 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    protected override string OptimizerType => "AdamW";

    protected override IReadOnlyList<string> BufferNames => Names;

    protected override void UpdateParameter(Span<float> p, ReadOnlySpan<float> grad, Dictionary<string, float[]> buffers, long step, float lr, float wd)
    {
        if (!buffers.TryGetValue(ExpAvg, out var m))
        {
            m = new float[p.Length];
            buffers[ExpAvg] = m;
        }
        if (!buffers.TryGetValue(ExpAvgSq, out var v))
        {
            v = new float[p.Length];
            buffers[ExpAvgSq] = v;
        }
        // Scalars in float64 (as PyTorch computes them on the host), element math in float32.
        double bias1 = 1.0 - Math.Pow(Beta1, step);
        double bias2 = 1.0 - Math.Pow(Beta2, step);
        float stepSize = (float)(lr / bias1);
        float bias2Sqrt = (float)Math.Sqrt(bias2);
        float decay = 1f - lr * wd;
        OptimizerKernels.AdamW(p, grad, m, v, Beta1, Beta2, Epsilon, decay, stepSize, bias2Sqrt);
    }

    protected override void UpdateParameterOnDevice(Tensor p, Tensor grad, Dictionary<string, Tensor> buffers, long step, float lr, float wd)
    {
        if (!buffers.TryGetValue(ExpAvg, out var m)) buffers[ExpAvg] = m = Tensor.Zeros(p.Device, p.Shape);
        if (!buffers.TryGetValue(ExpAvgSq, out var v)) buffers[ExpAvgSq] = v = Tensor.Zeros(p.Device, p.Shape);
        double bias1 = 1.0 - Math.Pow(Beta1, step), bias2 = 1.0 - Math.Pow(Beta2, step);
        var s = new OptimizerStep
        {
            Beta1 = Beta1, Beta2 = Beta2, Eps = Epsilon, Decay = 1f - lr * wd, StepSize = (float)(lr / bias1), Bias2Sqrt = (float)Math.Sqrt(bias2),
        };
        OptimizerGpu.AdamW(p.Device.Accelerated, p.View, grad.View, m.View, v.View, s);
    }
}
