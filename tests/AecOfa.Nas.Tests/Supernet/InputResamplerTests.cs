using AecOfa.Engine;
using AecOfa.Nas.Supernet;
using AecOfa.Nas.Tests.Elastic;

namespace AecOfa.Nas.Tests.Supernet;

public class InputResamplerTests
{
    // Float64 reference straight from the definition: interpolate bands at mel-center positions, mean over hop windows.
    private static double[] Reference(double[] x, int n, int h, int w, int mel, int hop)
    {
        int wOut = (w + hop - 1) / hop;
        var y = new double[n * mel * wOut];
        for (int b = 0; b < n; b++)
            for (int j = 0; j < mel; j++)
            {
                double pos = Math.Clamp((j + 1.0) * (h + 1) / (mel + 1) - 1, 0, h - 1);
                int i0 = (int)Math.Floor(pos);
                double f = pos - i0;
                for (int t = 0; t < wOut; t++)
                {
                    double sum = 0;
                    int cnt = 0;
                    for (int s = t * hop; s < Math.Min(w, t * hop + hop); s++, cnt++)
                    {
                        double lo = x[(b * h + i0) * w + s];
                        double hi = i0 + 1 < h ? x[(b * h + i0 + 1) * w + s] : lo;
                        sum += (1 - f) * lo + f * hi;
                    }
                    y[(b * mel + j) * wOut + t] = sum / cnt;
                }
            }
        return y;
    }

    [Theory]
    [InlineData(8, 13, 6, 2)]
    [InlineData(7, 9, 3, 3)]
    [InlineData(5, 4, 9, 1)]
    [InlineData(16, 33, 10, 2)]
    public void Matches_the_float64_definition_and_its_gradient(int h, int w, int mel, int hop)
    {
        var rng = new Random(h * 100 + w);
        var x = GradCheck.Random(rng, true, 2, 1, h, w);
        var y = InputResampler.Apply(x, mel, hop);
        Assert.Equal([2, 1, mel, (w + hop - 1) / hop], y.Shape);
        var xd = GradCheck.ToDouble(x);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(y), Reference(xd, 2, h, w, mel, hop), GradCheck.ForwardTol);

        var gy = GradCheck.ToDouble(Tensor.Uniform(rng, -1f, 1f, y.Shape));
        y.Backward(Tensor.FromArray(Array.ConvertAll(gy, v => (float)v), y.Shape));
        double Loss() => GradCheck.Dot(Reference(xd, 2, h, w, mel, hop), gy);
        GradCheck.AssertClose("input gradient", GradCheck.ToDouble(x.Grad!), GradCheck.FiniteDifferences(Loss, xd), GradCheck.GradTol);
    }

    [Fact]
    public void Same_resolution_is_the_identity()
    {
        var x = Tensor.Uniform(new Random(1), -1f, 1f, 2, 1, 8, 12);
        Assert.Same(x, InputResampler.Apply(x, 8, 1));
    }
}
