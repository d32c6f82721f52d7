namespace AecOfa.Engine.Kernels;

/// <summary>
/// Layout change between NCHW, viewed as (N, C, HW), and channel-major (C, N*HW), so that a 1x1 convolution over the
/// whole batch is ONE GEMM, (Cout, Cin) x (Cin, N*HW), instead of N GEMMs with only HW columns each (late stages have
/// 8..104 positions per clip, too few for a 32-wide micro-kernel). Split over channels on the worker pool.
/// </summary>
public static unsafe class ChannelMajorPack
{
    /// <summary>dst[c, n*hw + j] = src[n, c, j] (overwrites dst).</summary>
    public static void Pack(ReadOnlySpan<float> src, int batch, int channels, int hw, Span<float> dst)
    {
        Check(src.Length, dst.Length, batch, channels, hw);
        fixed (float* s = src, d = dst)
            ParallelChunks.For(channels, 1, MinParallel(batch, channels, hw), &PackRange, new ParallelChunks.Args(s, d, i0: batch, i1: channels, i2: hw));
    }

    /// <summary>dst[n, c, j] = src[c, n*hw + j] (overwrites dst), or += when <paramref name="accumulate"/>.</summary>
    public static void Unpack(ReadOnlySpan<float> src, int batch, int channels, int hw, Span<float> dst, bool accumulate)
    {
        Check(dst.Length, src.Length, batch, channels, hw);
        fixed (float* s = src, d = dst)
            ParallelChunks.For(channels, 1, MinParallel(batch, channels, hw), &UnpackRange, new ParallelChunks.Args(s, d, i0: batch, i1: channels, i2: hw, flag: accumulate));
    }

    /// <summary>Small copies (squeeze-excitation vectors) stay on the calling thread: a pool wake-up costs more.</summary>
    private static int MinParallel(int batch, int channels, int hw) => (long)batch * channels * hw >= ParallelChunks.MinParallelElements ? 2 : int.MaxValue;

    private static void Check(int nchwLength, int packedLength, int batch, int channels, int hw)
    {
        long n = (long)batch * channels * hw;
        if (nchwLength < n || packedLength < n)
            throw new ArgumentException($"ChannelMajorPack: buffers of {nchwLength} and {packedLength} elements, expected at least {n} (N={batch} C={channels} HW={hw}).");
    }

    private static void PackRange(in ParallelChunks.Args a, int c0, int c1)
    {
        int batch = a.I0, channels = a.I1, hw = a.I2;
        long nhw = (long)batch * hw;
        for (int c = c0; c < c1; c++)
            for (int n = 0; n < batch; n++)
                new ReadOnlySpan<float>(a.P0 + ((long)n * channels + c) * hw, hw).CopyTo(new Span<float>(a.P1 + c * nhw + (long)n * hw, hw));
    }

    private static void UnpackRange(in ParallelChunks.Args a, int c0, int c1)
    {
        int batch = a.I0, channels = a.I1, hw = a.I2;
        long nhw = (long)batch * hw;
        for (int c = c0; c < c1; c++)
            for (int n = 0; n < batch; n++)
            {
                var s = new ReadOnlySpan<float>(a.P0 + c * nhw + (long)n * hw, hw);
                var d = new Span<float>(a.P1 + ((long)n * channels + c) * hw, hw);
                if (a.Flag) System.Numerics.Tensors.TensorPrimitives.Add(d, s, d);
                else s.CopyTo(d);
            }
    }

    /// <summary>Reference: the same mapping with plain index loops.</summary>
    internal static void PackSimple(ReadOnlySpan<float> src, int batch, int channels, int hw, Span<float> dst)
    {
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int j = 0; j < hw; j++)
                    dst[c * batch * hw + n * hw + j] = src[(n * channels + c) * hw + j];
    }
}
