using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Engine.Tests.Ops;

public class MatMulOpsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 5)]
    [InlineData(25, 25, 33)] // a 7->5 kernel transform applied to 33 channels
    [InlineData(33, 9, 1)]
    public void MatMul_MatchesReference(int m, int k, int n)
        => OpCheck.Run(30, new[] { OpInput.Of(m, k), OpInput.Of(k, n) }, t => TensorOps.MatMul(t[0], t[1]), new Reference(
            x =>
            {
                var y = new double[m * n];
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) y[i * n + j] += x[0][i * k + p] * x[1][p * n + j];
                return y;
            },
            (x, gy) =>
            {
                var ga = new double[m * k];
                var gb = new double[k * n];
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++)
                {
                    ga[i * k + p] += gy[i * n + j] * x[1][p * n + j];
                    gb[p * n + j] += gy[i * n + j] * x[0][i * k + p];
                }
                return new double[]?[] { ga, gb };
            }));

    [Fact]
    public void MatMul_InnerMismatch_ThrowsNamingShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.MatMul(Tensor.Zeros(3, 4), Tensor.Zeros(5, 2)));
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
    }

    private static Reference LinearReference(int batch, int inF, int outF, bool hasBias) => new(
        x =>
        {
            var y = new double[batch * outF];
            for (int r = 0; r < batch; r++) for (int o = 0; o < outF; o++)
            {
                double s = hasBias ? x[2][o] : 0;
                for (int i = 0; i < inF; i++) s += x[0][r * inF + i] * x[1][o * inF + i];
                y[r * outF + o] = s;
            }
            return y;
        },
        (x, gy) =>
        {
            var gx = new double[batch * inF];
            var gw = new double[outF * inF];
            var gb = new double[outF];
            for (int r = 0; r < batch; r++) for (int o = 0; o < outF; o++)
            {
                gb[o] += gy[r * outF + o];
                for (int i = 0; i < inF; i++)
                {
                    gx[r * inF + i] += gy[r * outF + o] * x[1][o * inF + i];
                    gw[o * inF + i] += gy[r * outF + o] * x[0][r * inF + i];
                }
            }
            return hasBias ? new double[]?[] { gx, gw, gb } : new double[]?[] { gx, gw };
        });

    [Theory]
    [InlineData(1, 33, 7, true)]
    [InlineData(3, 7, 33, true)]
    [InlineData(3, 1, 3, false)]
    public void Linear_MatchesReference(int batch, int inF, int outF, bool hasBias)
    {
        var inputs = new List<OpInput> { OpInput.Of(batch, inF), OpInput.Of(outF, inF) };
        if (hasBias) inputs.Add(OpInput.Of(outF));
        OpCheck.Run(31, inputs.ToArray(), t => TensorOps.Linear(t[0], t[1], hasBias ? t[2] : null), LinearReference(batch, inF, outF, hasBias));
    }

    [Fact]
    public void Linear_WrongWeight_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorOps.Linear(Tensor.Zeros(3, 4), Tensor.Zeros(2, 5)));
        Assert.Contains("Linear", e.Message);
        Assert.Contains("(2, 5)", e.Message);
    }
}
