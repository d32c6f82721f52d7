using AecOfa.Engine;
using AecOfa.Nas.Elastic;
using AecOfa.Nas.Space;

namespace AecOfa.Nas.Tests.Elastic;

public class ElasticSqueezeExcitationTests
{
    private const int N = 2, Max = 40, H = 3, W = 5, HW = H * W;

    // float64 SE on the first c channels with hidden width make_divisible(c / 4): prefix slices of the stored weights.
    private static double[] Reference(double[] x, int c, double[] wr, double[] br, double[] we, double[] be)
    {
        int hidden = Channels.SqueezeWidth(c), maxHidden = Channels.SqueezeWidth(Max);
        var y = new double[x.Length];
        for (int n = 0; n < N; n++)
        {
            var pooled = new double[c];
            for (int ch = 0; ch < c; ch++) { for (int p = 0; p < HW; p++) pooled[ch] += x[(n * c + ch) * HW + p]; pooled[ch] /= HW; }
            var h = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double s = br[j];
                for (int ch = 0; ch < c; ch++) s += wr[j * Max + ch] * pooled[ch];
                h[j] = Math.Max(0, s);
            }
            for (int ch = 0; ch < c; ch++)
            {
                double s = be[ch];
                for (int j = 0; j < hidden; j++) s += we[ch * maxHidden + j] * h[j];
                double gate = Math.Clamp(s / 6 + 0.5, 0, 1);
                for (int p = 0; p < HW; p++) y[(n * c + ch) * HW + p] = x[(n * c + ch) * HW + p] * gate;
            }
        }
        return y;
    }

    [Theory]
    [InlineData(40)]
    [InlineData(33)]
    [InlineData(7)]
    public void Matches_float64_reference_and_finite_differences_at_elastic_widths(int c)
    {
        var rng = new Random(c);
        var se = new ElasticSqueezeExcitation(Max, rng);
        se.Reduce.Bias!.CopyFrom(Tensor.Uniform(rng, -0.5f, 0.5f, se.MaxHidden).Span);
        se.Expand.Bias!.CopyFrom(Tensor.Uniform(rng, -0.5f, 0.5f, Max).Span);
        var x = GradCheck.Random(rng, true, N, c, H, W);
        var y = se.Forward(x);
        double[] xd = GradCheck.ToDouble(x), wr = GradCheck.ToDouble(se.Reduce.Weight), br = GradCheck.ToDouble(se.Reduce.Bias!),
            we = GradCheck.ToDouble(se.Expand.Weight), be = GradCheck.ToDouble(se.Expand.Bias!);
        GradCheck.AssertClose("forward", GradCheck.ToDouble(y), Reference(xd, c, wr, br, we, be), GradCheck.ForwardTol);

        var gy = GradCheck.ToDouble(Tensor.Uniform(rng, -1f, 1f, y.Shape));
        y.Backward(Tensor.FromArray(Array.ConvertAll(gy, v => (float)v), y.Shape));
        double Loss() => GradCheck.Dot(Reference(xd, c, wr, br, we, be), gy);
        GradCheck.AssertClose("input gradient", GradCheck.ToDouble(x.Grad!), GradCheck.FiniteDifferences(Loss, xd), GradCheck.GradTol);
        int hidden = Channels.SqueezeWidth(c);
        var reduceUsed = Enumerable.Range(0, hidden).SelectMany(j => Enumerable.Range(j * Max, c));
        GradCheck.AssertClose("reduce weight gradient", GradCheck.ToDouble(se.Reduce.Weight.Grad!), GradCheck.FiniteDifferences(Loss, wr, reduceUsed), GradCheck.GradTol);
        GradCheck.AssertClose("reduce bias gradient", GradCheck.ToDouble(se.Reduce.Bias!.Grad!), GradCheck.FiniteDifferences(Loss, br, Enumerable.Range(0, hidden)), GradCheck.GradTol);
        var expandUsed = Enumerable.Range(0, c).SelectMany(ch => Enumerable.Range(ch * se.MaxHidden, hidden));
        GradCheck.AssertClose("expand weight gradient", GradCheck.ToDouble(se.Expand.Weight.Grad!), GradCheck.FiniteDifferences(Loss, we, expandUsed), GradCheck.GradTol);
        GradCheck.AssertClose("expand bias gradient", GradCheck.ToDouble(se.Expand.Bias!.Grad!), GradCheck.FiniteDifferences(Loss, be, Enumerable.Range(0, c)), GradCheck.GradTol);
    }
}
