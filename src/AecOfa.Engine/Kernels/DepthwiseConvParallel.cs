namespace AecOfa.Engine.Kernels;

public static unsafe partial class DepthwiseConv
{
    /// <summary>Below this many MACs a call runs on the calling thread: waking workers would cost more than it saves.</summary>
    internal const long ParallelMinMacs = 1 << 18;

    private static int ThreadsFor(in ConvGeometry g, int threads) => g.Macs < ParallelMinMacs ? 1 : threads;

    // The bodies hold pinned pointers (spans cannot cross threads); the callers keep them pinned for the whole call.

    private struct ForwardBody : IRangeBody
    {
        public ConvGeometry G; public float* X, W, Y; public int XLen, WLen, YLen; public DepthwiseConvIsa Isa;
        public readonly void Invoke(int begin, int end)
            => ForwardPlanes(G, new ReadOnlySpan<float>(X, XLen), new ReadOnlySpan<float>(W, WLen), new Span<float>(Y, YLen), begin, end, Isa);
    }

    private struct BackwardInputBody : IRangeBody
    {
        public ConvGeometry G; public float* Gy, W, Gx; public int GyLen, WLen, GxLen; public DepthwiseConvIsa Isa; public bool Accumulate;
        public readonly void Invoke(int begin, int end)
            => BackwardInputPlanes(G, new ReadOnlySpan<float>(Gy, GyLen), new ReadOnlySpan<float>(W, WLen), new Span<float>(Gx, GxLen), begin, end, Isa, Accumulate);
    }

    private struct BackwardWeightBody : IRangeBody
    {
        public ConvGeometry G; public float* X, Gy, Gw; public int XLen, GyLen, GwLen; public DepthwiseConvIsa Isa;
        public readonly void Invoke(int begin, int end)
            => BackwardWeightChannels(G, new ReadOnlySpan<float>(X, XLen), new ReadOnlySpan<float>(Gy, GyLen), new Span<float>(Gw, GwLen), begin, end, Isa);
    }

    private struct ChannelsLastBody : IRangeBody
    {
        public ConvGeometry G; public float* X, W, Y, Gy, Gx, Gw; public bool Forward, GxAccumulate;
        public readonly void Invoke(int begin, int end)
        {
            // A thread's range runs in passes of a few chunks whose padded clip fits in L2 (see ChannelsLastChunksPerPass).
            int step = ChannelsLastChunksPerPass(G);
            for (int b = begin; b < end; b += step)
            {
                int c0 = b * ChannelsLastChunk, c1 = Math.Min(G.InChannels, Math.Min(end, b + step) * ChannelsLastChunk);
                if (Forward) ForwardChannelsLast(G, X, W, Y, c0, c1);
                else BackwardChannelsLast(G, X, Gy, W, Gx, Gw, c0, c1, GxAccumulate);
            }
        }
    }

    /// <summary>
    /// Channels-last forward (y) or backward (gx and/or gw; an empty span skips that gradient; gx is added into unless
    /// <paramref name="gxAccumulate"/> is false), split over chunks of 8 channels (a channel's reductions never cross threads).
    /// </summary>
    private static void ChannelsLastParallel(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y,
        ReadOnlySpan<float> gy, Span<float> gx, Span<float> gw, int threads, bool forward, bool gxAccumulate = true)
    {
        int chunks = (g.InChannels + ChannelsLastChunk - 1) / ChannelsLastChunk;
        fixed (float* px = x, pw = w, py = y, pgy = gy, pgx = gx, pgw = gw)
        {
            // fixed gives null for an empty span: the backward kernel skips a null gradient.
            var body = new ChannelsLastBody { G = g, X = px, W = pw, Y = py, Gy = pgy, Gx = pgx, Gw = pgw, Forward = forward, GxAccumulate = gxAccumulate };
            WorkerPool.For(chunks, ref body, ThreadsFor(g, threads));
        }
    }

    /// <summary>Forward split over (channel, batch) planes on up to <paramref name="threads"/> threads.</summary>
    private static void ForwardParallel(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, DepthwiseConvIsa isa, int threads)
    {
        int planes = g.Batch * g.InChannels;
        threads = ThreadsFor(g, threads);
        if (threads <= 1) { ForwardPlanes(g, x, w, y, 0, planes, isa); return; }
        fixed (float* px = x, pw = w, py = y)
        {
            var body = new ForwardBody { G = g, X = px, W = pw, Y = py, XLen = x.Length, WLen = w.Length, YLen = y.Length, Isa = isa };
            WorkerPool.For(planes, ref body, threads);
        }
    }

    /// <summary>Input gradient split over (channel, batch) planes on up to <paramref name="threads"/> threads.</summary>
    private static void BackwardInputParallel(in ConvGeometry g, ReadOnlySpan<float> gy, ReadOnlySpan<float> w, Span<float> gx, DepthwiseConvIsa isa, int threads,
        bool accumulate)
    {
        int planes = g.Batch * g.InChannels;
        threads = ThreadsFor(g, threads);
        if (threads <= 1) { BackwardInputPlanes(g, gy, w, gx, 0, planes, isa, accumulate); return; }
        fixed (float* pgy = gy, pw = w, pgx = gx)
        {
            var body = new BackwardInputBody { G = g, Gy = pgy, W = pw, Gx = pgx, GyLen = gy.Length, WLen = w.Length, GxLen = gx.Length, Isa = isa, Accumulate = accumulate };
            WorkerPool.For(planes, ref body, threads);
        }
    }

    /// <summary>Weight gradient split over channels (a channel's reduction never crosses threads).</summary>
    private static void BackwardWeightParallel(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gw, DepthwiseConvIsa isa, int threads)
    {
        threads = ThreadsFor(g, threads);
        if (threads <= 1) { BackwardWeightChannels(g, x, gy, gw, 0, g.InChannels, isa); return; }
        fixed (float* px = x, pgy = gy, pgw = gw)
        {
            var body = new BackwardWeightBody { G = g, X = px, Gy = pgy, Gw = pgw, XLen = x.Length, GyLen = gy.Length, GwLen = gw.Length, Isa = isa };
            WorkerPool.For(g.InChannels, ref body, threads);
        }
    }
}
