using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests;

/// <summary>
/// The vectorized update loops must equal their scalar references bit for bit (same float32 operations). 70001
/// elements take the chunked parallel path (on a machine with 2+ cores; chunks of 16384 and a ragged last one).
/// </summary>
public class OptimizerKernelTests
{
    public static TheoryData<int> Lengths => new() { 1, 3, 7, 33, 1027, 70001 };

    private static float[] Rand(Random rng, int n) => Tensor.Randn(rng, 1f, n).Data;

    private static void AssertBitwise(float[] expected, float[] actual)
        => Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));

    [Theory, MemberData(nameof(Lengths))]
    public void Sgd_FastEqualsReference(int n)
    {
        var rng = SeededRandom.Create(n);
        var p = Rand(rng, n);
        var g = Rand(rng, n);
        var pRef = (float[])p.Clone();
        OptimizerKernels.Sgd(p, g, 0.3f, 0.01f);
        OptimizerKernels.SgdReference(pRef, g, 0.3f, 0.01f);
        AssertBitwise(pRef, p);
        Assert.NotEqual(Rand(SeededRandom.Create(n), n), p); // it did update
    }

    [Theory, MemberData(nameof(Lengths))]
    public void SgdMomentum_FastEqualsReference(int n)
    {
        var rng = SeededRandom.Create(100 + n);
        foreach (bool nesterov in new[] { false, true })
        foreach (bool first in new[] { true, false })
        {
            var p = Rand(rng, n);
            var g = Rand(rng, n);
            var buf = Rand(rng, n);
            var pRef = (float[])p.Clone();
            var bufRef = (float[])buf.Clone();
            OptimizerKernels.SgdMomentum(p, g, buf, first, 0.1f, 3e-5f, 0.9f, 0.75f, nesterov);
            OptimizerKernels.SgdMomentumReference(pRef, g, bufRef, first, 0.1f, 3e-5f, 0.9f, 0.75f, nesterov);
            AssertBitwise(pRef, p);
            AssertBitwise(bufRef, buf);
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void AdamW_FastEqualsReference(int n)
    {
        var rng = SeededRandom.Create(200 + n);
        var p = Rand(rng, n);
        var g = Rand(rng, n);
        var m = Rand(rng, n);
        var v = Rand(rng, n).Select(x => x * x).ToArray();
        var (pRef, mRef, vRef) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
        OptimizerKernels.AdamW(p, g, m, v, 0.9f, 0.999f, 1e-8f, 0.999f, 0.01f, 0.05f);
        OptimizerKernels.AdamWReference(pRef, g, mRef, vRef, 0.9f, 0.999f, 1e-8f, 0.999f, 0.01f, 0.05f);
        AssertBitwise(pRef, p);
        AssertBitwise(mRef, m);
        AssertBitwise(vRef, v);
    }
}
