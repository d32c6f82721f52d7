using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Tests.Kernels.Inference;

/// <summary>Naive float64 references of the channels-last inference kernels (plain loops, no packing).</summary>
internal static class InferenceKernelReference
{
    public static double Act(double z, FusedActivation act) => act switch
    {
        FusedActivation.ReLU => Math.Max(z, 0),
        FusedActivation.HardSwish => z * Math.Min(Math.Max(z + 3, 0), 6) / 6,
        _ => z,
    };

    /// <summary>y[p, o] = act(Σ x[p, i] W[o, i] + b[o]) + r[p, o]; dense output (pixels × cout).</summary>
    public static double[] Pointwise(float[] x, int pixels, int ldx, float[] w, float[] b, int cout, int cin, FusedActivation act, float[]? residual, int ldr)
    {
        var y = new double[pixels * cout];
        for (int p = 0; p < pixels; p++)
            for (int o = 0; o < cout; o++)
            {
                double s = b.Length == 0 ? 0 : b[o];
                for (int i = 0; i < cin; i++) s += (double)x[p * ldx + i] * w[o * cin + i];
                y[p * cout + o] = Act(s, act) + (residual is null ? 0 : residual[p * ldr + o]);
            }
        return y;
    }

    /// <summary>Depthwise (channels-last) or, when <paramref name="singleInput"/>, one input plane broadcast to every channel.</summary>
    public static double[] Taps(float[] x, int h, int w, int c, float[] weight, float[] bias, int k, int stride, int pad, FusedActivation act, bool singleInput)
    {
        int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
        var y = new double[ho * wo * c];
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++)
                for (int ch = 0; ch < c; ch++)
                {
                    double s = bias.Length == 0 ? 0 : bias[ch];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = singleInput ? x[iy * w + ix] : x[(iy * w + ix) * c + ch];
                            s += v * weight[(ch * k + ky) * k + kx];
                        }
                    y[(oy * wo + ox) * c + ch] = Act(s, act);
                }
        return y;
    }
}
