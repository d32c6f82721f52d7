using System.Runtime.Intrinsics;

namespace AecOfa.Engine.Kernels.Inference;

/// <summary>
/// Per-channel reductions and scalings of channels-last activations (pixels × channels) of one example: the global
/// average pool and the squeeze-excitation gate. Vectors run across channels; single-threaded, allocation-free.
/// </summary>
public static unsafe class ChannelsLastPooling
{
    /// <summary>mean[c] = Σ_p x[p, c] / pixels (summed in pixel order, in float).</summary>
    public static void Mean(ReadOnlySpan<float> x, int pixels, int channels, Span<float> mean)
    {
        Check(x.Length, pixels, channels, nameof(x));
        if (mean.Length < channels) throw new ArgumentException($"ChannelsLastPooling: mean has {mean.Length} values, needs {channels}.", nameof(mean));
        float inv = 1f / pixels;
        fixed (float* px = x, pm = mean)
        {
            int c = 0;
            for (; c + 8 <= channels; c += 8)
            {
                var s = Vector256<float>.Zero;
                for (int p = 0; p < pixels; p++) s += Vector256.Load(px + (long)p * channels + c);
                Vector256.Store(s * inv, pm + c);
            }
            for (; c < channels; c++)
            {
                float s = 0;
                for (int p = 0; p < pixels; p++) s += px[(long)p * channels + c];
                pm[c] = s * inv;
            }
        }
    }

    /// <summary>Squeeze-excitation gate in place: x[p, c] *= relu6(g[c] + 3) / 6 (hard sigmoid of the gate's logits).</summary>
    public static void ScaleByHardSigmoid(Span<float> x, int pixels, int channels, ReadOnlySpan<float> gateLogits)
    {
        Check(x.Length, pixels, channels, nameof(x));
        if (gateLogits.Length < channels) throw new ArgumentException($"ChannelsLastPooling: gateLogits has {gateLogits.Length} values, needs {channels}.", nameof(gateLogits));
        fixed (float* px = x, pg = gateLogits)
        {
            int c = 0;
            for (; c + 8 <= channels; c += 8)
            {
                var g = Vector256.Min(Vector256.Max(Vector256.Load(pg + c) + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) / Vector256.Create(6f);
                for (int p = 0; p < pixels; p++)
                {
                    float* xp = px + (long)p * channels + c;
                    Vector256.Store(Vector256.Load(xp) * g, xp);
                }
            }
            for (; c < channels; c++)
            {
                float g = Math.Min(Math.Max(pg[c] + 3f, 0f), 6f) / 6f;
                for (int p = 0; p < pixels; p++) px[(long)p * channels + c] *= g;
            }
        }
    }

    private static void Check(int length, int pixels, int channels, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (length < (long)pixels * channels) throw new ArgumentException($"ChannelsLastPooling: {name} has {length} values, needs {pixels} x {channels}.", name);
    }
}
