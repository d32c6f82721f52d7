using AecOfa.Engine;

namespace AecOfa.Engine.Tests.Ops;

/// <summary>One input of an op under test: its shape, whether it wants a gradient and how its values are drawn.</summary>
public sealed record OpInput(int[] Shape, bool RequiresGrad = true, Func<Random, float>? Draw = null)
{
    public static OpInput Of(params int[] shape) => new(shape);
    public static OpInput Constant(params int[] shape) => new(shape, RequiresGrad: false);
}

/// <summary>
/// A naive float64 reference: Forward(inputs) -> y, and Backward(inputs, dy) -> one gradient per input
/// (null where not needed). Written with plain loops so that it is obviously right.
/// </summary>
public sealed record Reference(Func<double[][], double[]> Forward, Func<double[][], double[], double[]?[]> Backward);

/// <summary>
/// Shared check of an op against its reference: random inputs, forward compared (relative error < 1e-4),
/// loss = sum(y * randomWeights) backpropagated through the op and compared to the reference's gradients
/// (relative error < 1e-3), and the reference's gradients validated by central finite differences in float64 on
/// all coordinates of small inputs and at least 64 of larger ones (fails on any non-finite value). Relative error is max |a - b| / max |b| over the whole tensor.
/// </summary>
public static class OpCheck
{
    public const double ForwardTol = 1e-4, GradTol = 1e-3, FiniteDiffTol = 1e-6;

    public static void Run(int seed, OpInput[] inputs, Func<Tensor[], Tensor> op, Reference reference, int fdSamples = FiniteDiffMinSamples)
    {
        var rng = new Random(seed);
        var tensors = new Tensor[inputs.Length];
        var doubles = new double[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = Tensor.Zeros(inputs[i].Shape);
            var draw = inputs[i].Draw ?? (r => (float)(2 * r.NextDouble() - 1));
            for (int j = 0; j < t.Numel; j++) t.Data[j] = draw(rng);
            t.RequiresGrad = inputs[i].RequiresGrad;
            tensors[i] = t;
            doubles[i] = Array.ConvertAll(t.Data, v => (double)v);
        }

        var y = op(tensors);
        var yRef = reference.Forward(doubles);
        Assert.Equal(yRef.Length, y.Numel);
        AssertClose("forward", Array.ConvertAll(y.Data, v => (double)v), yRef, ForwardTol);

        var weights = new double[y.Numel];
        for (int j = 0; j < weights.Length; j++) weights[j] = 2 * rng.NextDouble() - 1;
        var seedGrad = Tensor.FromArray(Array.ConvertAll(weights, v => (float)v), y.Shape);
        y.Backward(seedGrad);

        var gradRef = reference.Backward(doubles, weights);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad) continue;
            var g = gradRef[i] ?? throw new InvalidOperationException($"Reference gives no gradient for input {i}.");
            Assert.NotNull(tensors[i].Grad);
            Assert.True(tensors[i].Grad!.Shape.SequenceEqual(tensors[i].Shape), $"gradient of input {i}: shape [{string.Join(", ", tensors[i].Grad!.Shape)}], input [{string.Join(", ", tensors[i].Shape)}].");
            AssertClose($"gradient of input {i}", Array.ConvertAll(tensors[i].Grad!.Data, v => (double)v), g, GradTol);
            CheckReferenceByFiniteDifferences(reference, doubles, weights, i, g, rng, fdSamples);
        }
    }

    /// <summary>Coordinates checked by finite differences: all of them for small tensors (up to
    /// <see cref="FiniteDiffAllUpTo"/>), otherwise the first, the last and random ones, at least
    /// <see cref="FiniteDiffMinSamples"/> distinct coordinates.</summary>
    public const int FiniteDiffAllUpTo = 256, FiniteDiffMinSamples = 64;

    public static int[] FiniteDifferenceCoordinates(int length, Random rng, int samples = FiniteDiffMinSamples)
    {
        if (length <= Math.Max(FiniteDiffAllUpTo, samples)) return Enumerable.Range(0, length).ToArray();
        int count = Math.Max(samples, FiniteDiffMinSamples);
        var set = new SortedSet<int> { 0, length - 1 };
        while (set.Count < count) set.Add(rng.Next(length));
        return set.ToArray();
    }

    /// <summary>Central differences of L = sum(ref(x) * weights) at the coordinates of input i chosen by
    /// <see cref="FiniteDifferenceCoordinates"/> (all of them for small tensors, at least 64 otherwise).</summary>
    public static void CheckReferenceByFiniteDifferences(Reference reference, double[][] inputs, double[] weights, int input, double[] grad, Random rng, int samples)
    {
        Assert.True(grad.Length == inputs[input].Length, $"Reference gradient of input {input} has {grad.Length} values for {inputs[input].Length} inputs.");
        AssertFinite($"reference gradient of input {input}", grad);
        double scale = Math.Max(MaxAbs(grad), 1e-6);
        var x = inputs[input];
        foreach (int j in FiniteDifferenceCoordinates(x.Length, rng, samples))
        {
            double keep = x[j], h = 1e-6 * Math.Max(1, Math.Abs(keep));
            x[j] = keep + h;
            double plus = Dot(reference.Forward(inputs), weights);
            x[j] = keep - h;
            double minus = Dot(reference.Forward(inputs), weights);
            x[j] = keep;
            double fd = (plus - minus) / (2 * h);
            Assert.True(double.IsFinite(fd) && Math.Abs(fd - grad[j]) <= FiniteDiffTol * scale + 1e-9,
                $"Reference gradient of input {input} at {j}: analytic {grad[j]}, finite difference {fd} (scale {scale}).");
        }
    }

    /// <summary>Fails on any non-finite value (NaN compares false with everything, so a NaN must be rejected
    /// explicitly or a broken op would pass every closeness check).</summary>
    public static void AssertFinite(string what, double[] values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) Assert.Fail($"{what}: value at {i} is {values[i]} (not finite).");
    }

    /// <summary>Relative error max |a - b| / max |b| below <paramref name="tol"/>; fails on a length mismatch and on
    /// any non-finite actual or expected value.</summary>
    public static void AssertClose(string what, double[] actual, double[] expected, double tol)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        AssertFinite($"{what} (expected)", expected);
        AssertFinite($"{what} (actual)", actual);
        double maxErr = 0, maxRef = 0;
        int at = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            if (e > maxErr) { maxErr = e; at = i; }
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        double rel = maxErr / Math.Max(maxRef, 1e-30);
        if (maxErr > 0 && !(rel < tol))
            Assert.Fail($"{what}: relative error {rel:E3} >= {tol:E1} (worst at {at}: {actual[at]} vs {expected[at]}, max |ref| {maxRef}).");
    }

    /// <summary><see cref="AssertClose(string, double[], double[], double)"/> for a tensor, with its shape checked.</summary>
    public static void AssertClose(string what, Tensor actual, int[] expectedShape, double[] expected, double tol)
    {
        Assert.True(actual.Shape.SequenceEqual(expectedShape),
            $"{what}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expectedShape)}].");
        AssertClose(what, Array.ConvertAll(actual.Data, v => (double)v), expected, tol);
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>Row-major strides of a shape.</summary>
    public static int Numel(int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>A standard normal draw scaled by <paramref name="std"/> (spreads activation inputs over their kinks).</summary>
    public static Func<Random, float> Normal(double std) => r =>
        (float)(std * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
}
