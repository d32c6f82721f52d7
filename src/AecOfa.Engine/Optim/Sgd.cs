using AecOfa.Engine.Kernels.Gpu;
using AecOfa.Engine.Nn;

namespace AecOfa.Engine.Optim;

/// <summary>
/// Stochastic gradient descent as PyTorch's torch.optim.SGD (OFA's optimizer: momentum 0.9, Nesterov,
/// weight decay 3e-5 not on BN/bias). Weight decay is coupled (added to the gradient):
/// g = grad + wd*p; buf = g on the first update, then buf = momentum*buf + (1 - dampening)*g;
/// g = g + momentum*buf (Nesterov) or buf; p -= lr*g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentum_buffer";
    private static readonly string[] MomentumBufferNames = { MomentumBuffer };

    public Sgd(IEnumerable<(string Name, Parameter Parameter)> parameters, float learningRate, float momentum = 0f,
        float dampening = 0f, bool nesterov = false, float weightDecay = 0f, bool excludeNoWeightDecayParameters = true)
        : base(parameters, learningRate, weightDecay, excludeNoWeightDecayParameters)
    {
        if (!(momentum >= 0f && momentum < 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum = {momentum} must be in [0, 1).");
        if (!(dampening >= 0f && dampening <= 1f))
            throw new ArgumentOutOfRangeException(nameof(dampening), $"dampening = {dampening} must be in [0, 1].");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException("Nesterov momentum requires momentum > 0 and dampening = 0 (as in PyTorch).", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    public float Momentum { get; }

    public float Dampening { get; }

    public bool Nesterov { get; }

    protected override string OptimizerType => "Sgd";

    protected override IReadOnlyList<string> BufferNames => Momentum == 0f ? Array.Empty<string>() : MomentumBufferNames;

    protected override void UpdateParameter(Span<float> p, ReadOnlySpan<float> grad, Dictionary<string, float[]> buffers, long step, float lr, float wd)
    {
        if (Momentum == 0f)
        {
            OptimizerKernels.Sgd(p, grad, lr, wd);
            return;
        }
        // First update: the buffer is the (decayed) gradient itself, no dampening (PyTorch).
        bool first = !buffers.TryGetValue(MomentumBuffer, out var buf);
        if (first)
        {
            buf = new float[p.Length];
            buffers[MomentumBuffer] = buf;
        }
        OptimizerKernels.SgdMomentum(p, grad, buf, first, lr, wd, Momentum, 1f - Dampening, Nesterov);
    }

    protected override void UpdateParameterOnDevice(Tensor p, Tensor grad, Dictionary<string, Tensor> buffers, long step, float lr, float wd)
    {
        bool momentum = Momentum != 0f;
        bool first = momentum && !buffers.ContainsKey(MomentumBuffer);
        if (first) buffers[MomentumBuffer] = Tensor.Zeros(p.Device, p.Shape);
        var s = new OptimizerStep { Lr = lr, Wd = wd, Momentum = Momentum, Keep = 1f - Dampening, First = first ? 1 : 0, Nesterov = Nesterov ? 1 : 0 };
        // Without momentum the parameter stands in for the unused buffer argument (never read).
        OptimizerGpu.Sgd(p.Device.Accelerated, p.View, grad.View, momentum ? buffers[MomentumBuffer].View : p.View, s, momentum);
    }
}
