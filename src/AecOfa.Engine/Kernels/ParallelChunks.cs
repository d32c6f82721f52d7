namespace AecOfa.Engine.Kernels;

/// <summary>
/// Runs a pointer kernel over [0, count) items on the <see cref="WorkerPool"/>, in fixed-size chunks: the chunk
/// boundaries depend only on count and the grain, so per-item results never depend on the thread count. Items are
/// elements (element-wise kernels) or channels/planes (per-channel kernels); the kernel gets the half-open range.
/// Up to five pointers, two float and four int scalars and a flag travel in the body; below a caller-given item count it runs inline.
/// </summary>
internal static unsafe class ParallelChunks
{
    /// <summary>
    /// Element-wise and per-channel passes over fewer elements than this stay on the calling thread: a memory-bound pass
    /// over 64 K floats takes about 10-20 microseconds, while handing a range to a pool worker that is still spinning
    /// (see WorkerPool's Signal) costs about a microsecond. Was 256 K while workers blocked between regions.
    /// </summary>
    public const int MinParallelElements = 1 << 16;

    public readonly struct Args
    {
        public readonly float* P0, P1, P2, P3;
        public readonly double* D0, D1;
        public readonly float* Extra;
        public readonly float S0, S1;
        public readonly int I0, I1, I2, I3;
        public readonly bool Flag;

        public Args(float* p0, float* p1 = null, float* p2 = null, float* p3 = null, float s0 = 0, float s1 = 0,
            int i0 = 0, int i1 = 0, int i2 = 0, bool flag = false, double* d0 = null, double* d1 = null, float* extra = null, int i3 = 0)
        {
            D0 = d0; D1 = d1; Extra = extra;
            P0 = p0; P1 = p1; P2 = p2; P3 = p3; S0 = s0; S1 = s1; I0 = i0; I1 = i1; I2 = i2; I3 = i3; Flag = flag;
        }
    }

    private readonly struct Body : IRangeBody
    {
        private readonly delegate*<in Args, int, int, void> _fn;
        private readonly Args _args;
        private readonly int _count, _grain;

        public Body(delegate*<in Args, int, int, void> fn, in Args args, int count, int grain)
        {
            _fn = fn; _args = args; _count = count; _grain = grain;
        }

        public void Invoke(int begin, int end)
        {
            int lo = begin * _grain, hi = (int)Math.Min((long)end * _grain, _count);
            if (lo < hi) _fn(in _args, lo, hi);
        }
    }

    /// <param name="count">Items to process: [0, count).</param>
    /// <param name="grain">Items per chunk (e.g. 4096 elements, or 1 channel).</param>
    /// <param name="minParallel">Fewer items than this run on the calling thread only.</param>
    /// <param name="fn">The kernel, called with the arguments and a half-open item range.</param>
    /// <param name="args">Pointers and scalars the kernel reads.</param>
    public static void For(int count, int grain, int minParallel, delegate*<in Args, int, int, void> fn, in Args args)
    {
        if (count <= 0) return;
        if (count < minParallel || WorkerPool.MaxThreads == 1)
        {
            fn(in args, 0, count);
            return;
        }
        int chunks = (int)(((long)count + grain - 1) / grain);
        var body = new Body(fn, args, count, grain);
        WorkerPool.For(chunks, ref body);
    }
}
