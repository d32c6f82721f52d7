using System.Numerics;
using AecOfa.Engine.Kernels;

namespace AecOfa.Engine.Optim;

/// <summary>
/// The per-element update loops of the optimizers: a Vector&lt;float&gt; loop then a scalar tail, each beside
/// its naive reference. Fast and reference perform the same float32 operations in the same order (no fused
/// multiply-add), so they agree bit for bit and results do not depend on the SIMD width. Large tensors (the
/// classifier's 1.2 M weights, the head's 154 K) are split into fixed chunks over the <see cref="WorkerPool"/>:
/// element-wise, so the split changes no bit.
/// </summary>
internal static unsafe class OptimizerKernels
{
    private const int Grain = 16384;

    private static bool RunsParallel(int length) => length >= ParallelChunks.MinParallelElements && WorkerPool.MaxThreads > 1;

    private struct SgdBody : IRangeBody
    {
        public float* P, G, B; public int Length; public float Lr, Wd, Mu, Keep; public bool First, Nesterov, Momentum;
        public readonly void Invoke(int begin, int end)
        {
            int lo = begin * Grain, n = Math.Min(end * Grain, Length) - lo;
            if (n <= 0) return;
            if (Momentum) SgdMomentumSerial(new Span<float>(P + lo, n), new ReadOnlySpan<float>(G + lo, n), new Span<float>(B + lo, n), First, Lr, Wd, Mu, Keep, Nesterov);
            else SgdSerial(new Span<float>(P + lo, n), new ReadOnlySpan<float>(G + lo, n), Lr, Wd);
        }
    }

    private struct AdamWBody : IRangeBody
    {
        public float* P, G, M, V; public int Length; public float B1, B2, Eps, Decay, StepSize, Bias2Sqrt;
        public readonly void Invoke(int begin, int end)
        {
            int lo = begin * Grain, n = Math.Min(end * Grain, Length) - lo;
            if (n > 0)
                AdamWSerial(new Span<float>(P + lo, n), new ReadOnlySpan<float>(G + lo, n), new Span<float>(M + lo, n), new Span<float>(V + lo, n),
                    B1, B2, Eps, Decay, StepSize, Bias2Sqrt);
        }
    }

    private static int Chunks(int length) => (length + Grain - 1) / Grain;

    /// <summary>Plain SGD with coupled weight decay: p -= lr * (g + wd*p).</summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> grad, float lr, float wd)
    {
        if (!RunsParallel(p.Length)) { SgdSerial(p, grad, lr, wd); return; }
        fixed (float* pp = p, pg = grad)
        {
            var body = new SgdBody { P = pp, G = pg, Length = p.Length, Lr = lr, Wd = wd };
            WorkerPool.For(Chunks(p.Length), ref body);
        }
    }

    private static void SgdSerial(Span<float> p, ReadOnlySpan<float> grad, float lr, float wd)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var vwd = new Vector<float>(wd);
            for (; i <= p.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vp = new Vector<float>(p.Slice(i));
                var g = new Vector<float>(grad.Slice(i)) + vwd * vp;
                (vp - vlr * g).CopyTo(p.Slice(i));
            }
        }
        for (; i < p.Length; i++) p[i] -= lr * (grad[i] + wd * p[i]);
    }

    public static void SgdReference(Span<float> p, ReadOnlySpan<float> grad, float lr, float wd)
    {
        for (int i = 0; i < p.Length; i++) p[i] -= lr * (grad[i] + wd * p[i]);
    }

    /// <summary>
    /// SGD with momentum: g = grad + wd*p; buf = first ? g : mu*buf + keep*g; p -= lr * (nesterov ? g + mu*buf : buf).
    /// </summary>
    public static void SgdMomentum(Span<float> p, ReadOnlySpan<float> grad, Span<float> buf, bool first, float lr, float wd, float mu, float keep, bool nesterov)
    {
        if (!RunsParallel(p.Length)) { SgdMomentumSerial(p, grad, buf, first, lr, wd, mu, keep, nesterov); return; }
        fixed (float* pp = p, pg = grad, pb = buf)
        {
            var body = new SgdBody { P = pp, G = pg, B = pb, Length = p.Length, Lr = lr, Wd = wd, Mu = mu, Keep = keep, First = first, Nesterov = nesterov, Momentum = true };
            WorkerPool.For(Chunks(p.Length), ref body);
        }
    }

    private static void SgdMomentumSerial(Span<float> p, ReadOnlySpan<float> grad, Span<float> buf, bool first, float lr, float wd, float mu, float keep, bool nesterov)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var vwd = new Vector<float>(wd);
            var vmu = new Vector<float>(mu);
            var vkeep = new Vector<float>(keep);
            for (; i <= p.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vp = new Vector<float>(p.Slice(i));
                var g = new Vector<float>(grad.Slice(i)) + vwd * vp;
                var b = first ? g : vmu * new Vector<float>(buf.Slice(i)) + vkeep * g;
                b.CopyTo(buf.Slice(i));
                (vp - vlr * (nesterov ? g + vmu * b : b)).CopyTo(p.Slice(i));
            }
        }
        SgdMomentumScalar(p, grad, buf, first, lr, wd, mu, keep, nesterov, i);
    }

    public static void SgdMomentumReference(Span<float> p, ReadOnlySpan<float> grad, Span<float> buf, bool first, float lr, float wd, float mu, float keep, bool nesterov)
        => SgdMomentumScalar(p, grad, buf, first, lr, wd, mu, keep, nesterov, 0);

    private static void SgdMomentumScalar(Span<float> p, ReadOnlySpan<float> grad, Span<float> buf, bool first, float lr, float wd, float mu, float keep, bool nesterov, int start)
    {
        for (int i = start; i < p.Length; i++)
        {
            float g = grad[i] + wd * p[i];
            float b = first ? g : mu * buf[i] + keep * g;
            buf[i] = b;
            p[i] -= lr * (nesterov ? g + mu * b : b);
        }
    }

    /// <summary>
    /// AdamW in the operation order of PyTorch's single-tensor path: m = lerp(m, g, 1-b1) = m + (1-b1)*(g-m);
    /// v = b2*v + (1-b2)*(g*g); p = p*decay - stepSize * (m / (sqrt(v)/bias2Sqrt + eps)).
    /// </summary>
    public static void AdamW(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float b1, float b2, float eps, float decay, float stepSize, float bias2Sqrt)
    {
        if (!RunsParallel(p.Length)) { AdamWSerial(p, grad, m, v, b1, b2, eps, decay, stepSize, bias2Sqrt); return; }
        fixed (float* pp = p, pg = grad, pm = m, pv = v)
        {
            var body = new AdamWBody { P = pp, G = pg, M = pm, V = pv, Length = p.Length, B1 = b1, B2 = b2, Eps = eps, Decay = decay, StepSize = stepSize, Bias2Sqrt = bias2Sqrt };
            WorkerPool.For(Chunks(p.Length), ref body);
        }
    }

    private static void AdamWSerial(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float b1, float b2, float eps, float decay, float stepSize, float bias2Sqrt)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1);
            var vb2 = new Vector<float>(b2);
            var v1b1 = new Vector<float>(1f - b1);
            var v1b2 = new Vector<float>(1f - b2);
            var veps = new Vector<float>(eps);
            var vdecay = new Vector<float>(decay);
            var vstep = new Vector<float>(stepSize);
            var vbias2 = new Vector<float>(bias2Sqrt);
            for (; i <= p.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(grad.Slice(i));
                var vm = new Vector<float>(m.Slice(i));
                var mi = vm + v1b1 * (g - vm);
                var vi = vb2 * new Vector<float>(v.Slice(i)) + v1b2 * (g * g);
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var denom = Vector.SquareRoot(vi) / vbias2 + veps;
                (new Vector<float>(p.Slice(i)) * vdecay - vstep * (mi / denom)).CopyTo(p.Slice(i));
            }
        }
        AdamWScalar(p, grad, m, v, b1, b2, eps, decay, stepSize, bias2Sqrt, i);
    }

    public static void AdamWReference(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float b1, float b2, float eps, float decay, float stepSize, float bias2Sqrt)
        => AdamWScalar(p, grad, m, v, b1, b2, eps, decay, stepSize, bias2Sqrt, 0);

    private static void AdamWScalar(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float b1, float b2, float eps, float decay, float stepSize, float bias2Sqrt, int start)
    {
        for (int i = start; i < p.Length; i++)
        {
            float g = grad[i];
            float mi = m[i] + (1f - b1) * (g - m[i]);
            float vi = b2 * v[i] + (1f - b2) * (g * g);
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / bias2Sqrt + eps;
            p[i] = p[i] * decay - stepSize * (mi / denom);
        }
    }
}
