using AecOfa.Engine.Nn;

namespace AecOfa.Engine.Optim;

/// <summary>Gradient clipping over parameter lists (parameters without a gradient are skipped), as PyTorch's clip_grad_*.</summary>
public static class GradientClipping
{
    /// <summary>Clamps every gradient element to [-clipValue, clipValue] (the sandwich rule clips at 1.0).</summary>
    public static void ClipByValue(IEnumerable<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0f)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"clipValue = {clipValue} must be > 0.");
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            if (!p.Grad.IsOnCpu)
            {
                Kernels.Gpu.ElementwiseGpu.Clamp(p.Grad.Device.Accelerated, p.Grad.View, clipValue);
                continue;
            }
            var g = p.Grad.Span;
            for (int i = 0; i < g.Length; i++) g[i] = Math.Clamp(g[i], -clipValue, clipValue); // NaN stays NaN
        }
    }

    /// <summary>
    /// Global L2 norm of all gradients (float64, in list order: deterministic). When it exceeds
    /// <paramref name="maxNorm"/>, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the norm
    /// before clipping. A non-finite norm leaves the gradients unchanged (the loss guard reports it) unless
    /// <paramref name="errorIfNonFinite"/> asks for an exception.
    /// </summary>
    public static float ClipByGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm, bool errorIfNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"maxNorm = {maxNorm} must be > 0.");
        var list = parameters.Where(p => p.Grad is not null).ToList();
        double sumSquares = 0;
        foreach (var p in list)
        {
            if (!p.Grad!.IsOnCpu)
            {
                sumSquares += DeviceSumOfSquares(p.Grad); // one value per parameter comes back to the host
                continue;
            }
            var g = p.Grad!.Span;
            for (int i = 0; i < g.Length; i++) sumSquares += (double)g[i] * g[i];
        }
        double norm = Math.Sqrt(sumSquares);
        if (!double.IsFinite(norm))
        {
            if (errorIfNonFinite) throw new ArithmeticException($"The global gradient norm is {norm} (not finite): a gradient holds NaN or infinity.");
            return (float)norm;
        }
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1.0)
        {
            float c = (float)coef;
            foreach (var p in list)
            {
                if (!p.Grad!.IsOnCpu)
                {
                    Kernels.Gpu.ElementwiseGpu.Scale(p.Grad.Device.Accelerated, p.Grad.View, c);
                    continue;
                }
                var g = p.Grad!.Span;
                for (int i = 0; i < g.Length; i++) g[i] *= c;
            }
        }
        return (float)norm;
    }

    private static double DeviceSumOfSquares(Tensor gradient)
    {
        var sum = Tensor.Zeros(gradient.Device);
        Kernels.Gpu.ElementwiseGpu.SumOfSquares(gradient.Device.Accelerated, gradient.View, sum.View);
        return sum.Item();
    }
}
