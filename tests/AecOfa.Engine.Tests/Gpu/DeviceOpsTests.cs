using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Tests.Ops;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>Every op with a device path equals its CPU path (forward and gradients) on small odd shapes.</summary>
[Collection(GpuCollection.Name)]
public class DeviceOpsTests
{
    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(5, 2, 2)]
    [InlineData(7, 1, 3)]
    [InlineData(7, 2, 3)]
    public void DepthwiseConv(int k, int stride, int pad)
        => DeviceParity.Check(10 + k, [OpInput.Of(2, 3, 5, 7), OpInput.Of(3, 1, k, k)], t => TensorOps.Conv2d(t[0], t[1], null, stride, pad, groups: 3));

    [Fact]
    public void PointwiseConvWithBias()
        => DeviceParity.Check(20, [OpInput.Of(2, 3, 5, 7), OpInput.Of(7, 3, 1, 1), OpInput.Of(7)], t => TensorOps.Conv2d(t[0], t[1], t[2]));

    [Fact]
    public void StemConvThroughIm2Col()
        => DeviceParity.Check(21, [OpInput.Of(3, 1, 5, 7), OpInput.Of(3, 1, 3, 3)], t => TensorOps.Conv2d(t[0], t[1], null, stride: 2, padding: 1));

    [Fact]
    public void MatMul() => DeviceParity.Check(22, [OpInput.Of(5, 3), OpInput.Of(3, 7)], t => TensorOps.MatMul(t[0], t[1]));

    [Fact]
    public void LinearWithBias() => DeviceParity.Check(23, [OpInput.Of(3, 7), OpInput.Of(5, 7), OpInput.Of(5)], t => TensorOps.Linear(t[0], t[1], t[2]));

    [Fact]
    public void Activations()
    {
        var wide = new OpInput([2, 3, 5, 7], Draw: OpCheck.Normal(4));
        DeviceParity.Check(24, [wide], t => TensorOps.ReLU(t[0]));
        DeviceParity.Check(25, [wide], t => TensorOps.ReLU6(t[0]));
        DeviceParity.Check(26, [wide], t => TensorOps.HardSigmoid(t[0]));
        DeviceParity.Check(27, [wide], t => TensorOps.HardSwish(t[0]));
        DeviceParity.Check(28, [wide], t => TensorOps.Sigmoid(t[0]));
    }

    [Fact]
    public void AddPoolScaleAndReshape()
    {
        DeviceParity.Check(30, [OpInput.Of(2, 3, 5, 7), OpInput.Of(2, 3, 5, 7)], t => TensorOps.Add(t[0], t[1]));
        DeviceParity.Check(31, [OpInput.Of(2, 3, 5, 7)], t => TensorOps.GlobalAvgPool2d(t[0]));
        DeviceParity.Check(32, [OpInput.Of(2, 3, 5, 7), OpInput.Of(2, 3)], t => TensorOps.ChannelScale(t[0], t[1]));
        DeviceParity.Check(33, [OpInput.Of(2, 3, 5, 7)], t => TensorOps.Flatten(TensorOps.ReLU(t[0])));
    }

    [Theory]
    [InlineData(FusedActivation.None)]
    [InlineData(FusedActivation.ReLU)]
    [InlineData(FusedActivation.HardSwish)]
    public void BatchNormTrainAndEval(FusedActivation activation)
    {
        var x = new OpInput([3, 3, 5, 7], Draw: r => (float)(3 * r.NextDouble() - 1));
        DeviceParity.Check(40, [x, OpInput.Of(3), OpInput.Of(3)], t => TensorOps.BatchNorm2dTrain(t[0], t[1], t[2], 1e-5f, new double[3], new double[3], activation));
        DeviceParity.Check(41, [x, OpInput.Of(3), OpInput.Of(3), OpInput.Constant(3), new OpInput([3], false, r => (float)(0.5 + r.NextDouble()))],
            t => TensorOps.BatchNorm2dEval(t[0], t[1], t[2], t[3], t[4], 1e-5f, activation));
    }

    [Fact]
    public void BatchNormStatisticsComeBackForRecalibration()
    {
        var (host, device) = GpuTestDevice.Pair(42, 2, 3, 5, 7);
        var gamma = Tensor.Full(1f, 3);
        var beta = Tensor.Zeros(3);
        double[] mean = new double[3], m2 = new double[3], meanD = new double[3], m2D = new double[3];
        TensorOps.BatchNorm2dTrain(host, gamma, beta, 1e-5f, mean, m2, FusedActivation.None);
        TensorOps.BatchNorm2dTrain(device, gamma.ToDevice(GpuTestDevice.Device), beta.ToDevice(GpuTestDevice.Device), 1e-5f, meanD, m2D, FusedActivation.None);
        OpCheck.AssertClose("mean", meanD, mean, 1e-5);
        OpCheck.AssertClose("M2", m2D, m2, 1e-5);
    }

    [Fact]
    public void Losses()
    {
        int[] labels = [2, 0, 4];
        DeviceParity.Check(50, [new OpInput([3, 5], Draw: OpCheck.Normal(3))], t => TensorOps.SoftmaxCrossEntropy(t[0], labels, 0.1f));
        DeviceParity.Check(51, [new OpInput([3, 5], Draw: OpCheck.Normal(3)), new OpInput([3, 5], false, r => (float)r.NextDouble())],
            t => TensorOps.BinaryCrossEntropyWithLogits(t[0], t[1]));
    }

    [Fact]
    public void ElasticWindows()
    {
        DeviceParity.Check(60, [OpInput.Of(7, 5, 3, 3)], t => TensorOps.Slice(t[0], 0, 0, 4));
        DeviceParity.Check(61, [OpInput.Of(2, 5, 3)], t => TensorOps.Slice(t[0], 1, 1, 3));
        DeviceParity.Check(62, [OpInput.Of(3, 1, 7, 7)], t => TensorOps.CenterCrop2d(t[0], 3));
        DeviceParity.Check(63, [OpInput.Of(3, 5), OpInput.Of(5, 5)], t => TensorOps.MatMul(t[0], t[1])); // the kernel transform
    }

    [Fact]
    public void DropoutDropsTheSameElements_AndProducts()
    {
        DeviceParity.Check(64, [OpInput.Of(2, 3, 5)], t => TensorOps.Dropout(t[0], 0.3f, new Random(5), training: true));
        DeviceParity.Check(65, [OpInput.Of(2, 3, 5), OpInput.Of(2, 3, 5)], t => TensorOps.Mul(t[0], t[1]));
        DeviceParity.Check(66, [OpInput.Of(3, 7)], t => TensorOps.Mean(t[0]));
    }

    [Fact]
    public void DistillationLossesAndTheirWeightedSum()
    {
        int[] labels = [1, 3, 0];
        var logits = new OpInput([3, 5], Draw: OpCheck.Normal(3));
        var teacher = new OpInput([3, 5], false, OpCheck.Normal(3));
        DeviceParity.Check(70, [logits, teacher], t => TensorOps.KlDistillation(t[0], t[1], 2f));
        DeviceParity.Check(71, [logits, new OpInput([3, 5], false, r => (float)r.NextDouble())], t => TensorOps.DistillationBce(t[0], t[1]));
        DeviceParity.Check(72, [logits, teacher],
            t => TensorOps.WeightedLossSum((TensorOps.SoftmaxCrossEntropy(t[0], labels), 0.25f), (TensorOps.KlDistillation(t[0], t[1], 1f), 0.75f)));
    }
}
