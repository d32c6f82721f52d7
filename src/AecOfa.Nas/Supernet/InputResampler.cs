using AecOfa.Engine;

namespace AecOfa.Nas.Supernet;

/// <summary>
/// How the resolution genes act (ArchConfig.MelBins, ArchConfig.HopFactor): the network ALWAYS receives features
/// at the front end's nominal resolution (the one feature cache, one normalization), and its first, parameter-free
/// op maps them to the gene's resolution:
///   - frames: mean over consecutive windows of HopFactor frames (the last window may be partial and is averaged
///     over the frames it has), giving ceil(frames / HopFactor) frames — like a front end with a HopFactor-times
///     larger hop whose frames are smoothed over the skipped ones;
///   - mel bins: a fixed linear-interpolation matrix (H_in → MelBins) that samples the input at the centers of the
///     coarser mel bands: bands are evenly spaced on the mel axis, so output band j sits at input position
///     (j + 1)(H_in + 1)/(MelBins + 1) − 1, clamped to [0, H_in − 1], and interpolates its two neighbours.
///     The identity when MelBins == H_in.
/// Why inside the network rather than in the data pipeline: training samples a resolution per sub-network from the
/// SAME batch, BN recalibration and evaluation read one cached subset, and the extracted network carries the very
/// same op, so supernet, recalibration, extraction and <see cref="Flops.FlopsCounter"/> (which counts the
/// convolutions on MelBins × ceil(frames / HopFactor)) all see identical tensors. This op's own cost (a few
/// additions per input value) belongs to the front end and is not counted as MACs, like the log-mel itself.
/// </summary>
public static class InputResampler
{
    /// <summary>x (N, C, H, W) → (N, C, melBins, ceil(W / hopFactor)); returns x itself when nothing changes.
    /// Differentiable (the backward is the transpose), though features normally need no gradient.</summary>
    public static Tensor Apply(Tensor x, int melBins, int hopFactor)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"InputResampler: x must be (N, C, mel bins, frames), got rank {x.Rank}", nameof(x));
        if (melBins < 1) throw new ArgumentOutOfRangeException(nameof(melBins), melBins, "must be >= 1");
        if (hopFactor < 1) throw new ArgumentOutOfRangeException(nameof(hopFactor), hopFactor, "must be >= 1");
        int planes = x.Shape[0] * x.Shape[1], hIn = x.Shape[2], wIn = x.Shape[3];
        if (melBins == hIn && hopFactor == 1) return x;
        int wOut = (wIn + hopFactor - 1) / hopFactor;
        var (index, weight) = MelInterpolation(hIn, melBins);
        if (!x.IsOnCpu) return Engine.Ops.TensorOps.ResampleOnDevice(x, index, weight, hopFactor);

        var y = Tensor.Zeros(x.Shape[0], x.Shape[1], melBins, wOut);
        var xs = x.Data;
        var ys = y.Data;
        for (int p = 0; p < planes; p++)
        {
            int xBase = p * hIn * wIn, yBase = p * melBins * wOut;
            for (int j = 0; j < melBins; j++)
            {
                int i0 = index[j];
                int i1 = Math.Min(i0 + 1, hIn - 1);
                double w1 = weight[j], w0 = 1.0 - w1;
                for (int t = 0; t < wOut; t++)
                {
                    int start = t * hopFactor, end = Math.Min(start + hopFactor, wIn);
                    double s0 = 0, s1 = 0;
                    for (int f = start; f < end; f++)
                    {
                        s0 += xs[xBase + i0 * wIn + f];
                        s1 += xs[xBase + i1 * wIn + f];
                    }
                    ys[yBase + j * wOut + t] = (float)((w0 * s0 + w1 * s1) / (end - start));
                }
            }
        }
        return Autograd.Record(y, "InputResampler", [x], o =>
        {
            var gx = x.GradForAccumulate();
            var gy = o.Grad!.Data;
            for (int p = 0; p < planes; p++)
            {
                int xBase = p * hIn * wIn, yBase = p * melBins * wOut;
                for (int j = 0; j < melBins; j++)
                {
                    int i0 = index[j];
                    int i1 = Math.Min(i0 + 1, hIn - 1);
                    double w1 = weight[j], w0 = 1.0 - w1;
                    for (int t = 0; t < wOut; t++)
                    {
                        int start = t * hopFactor, end = Math.Min(start + hopFactor, wIn);
                        double g = gy[yBase + j * wOut + t] / (double)(end - start);
                        for (int f = start; f < end; f++)
                        {
                            gx[xBase + i0 * wIn + f] += (float)(w0 * g);
                            gx[xBase + i1 * wIn + f] += (float)(w1 * g);
                        }
                    }
                }
            }
        });
    }

    /// <summary>For each output band j: the lower input band and the weight of the upper one (see the type's remarks).</summary>
    public static (int[] Lower, double[] UpperWeight) MelInterpolation(int inputBins, int outputBins)
    {
        if (inputBins < 1) throw new ArgumentOutOfRangeException(nameof(inputBins), inputBins, "must be >= 1");
        if (outputBins < 1) throw new ArgumentOutOfRangeException(nameof(outputBins), outputBins, "must be >= 1");
        var lower = new int[outputBins];
        var upper = new double[outputBins];
        for (int j = 0; j < outputBins; j++)
        {
            double pos = (double)(j + 1) * (inputBins + 1) / (outputBins + 1) - 1.0;
            pos = Math.Clamp(pos, 0.0, inputBins - 1);
            int i0 = Math.Min((int)Math.Floor(pos), inputBins - 1);
            lower[j] = i0;
            upper[j] = i0 + 1 < inputBins ? pos - i0 : 0.0;
        }
        return (lower, upper);
    }
}
