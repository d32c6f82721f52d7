using AecOfa.Engine.Tests.Ops;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>
/// Runs an op on host tensors and on their copies on each test device, backpropagates the same random output weights
/// through both, and compares the device's forward (relative 1e-4) and every input gradient (relative 1e-3) with the
/// host's, through <see cref="OpCheck.AssertClose(string, Tensor, int[], double[], double)"/> (shape-checked, fails on NaN).
/// </summary>
public static class DeviceParity
{
    public static void Check(int seed, OpInput[] inputs, Func<Tensor[], Tensor> op)
    {
        foreach (var device in GpuTestDevice.All) Check(seed, inputs, op, device);
    }

    public static void Check(int seed, OpInput[] inputs, Func<Tensor[], Tensor> op, ComputeDevice target)
    {
        var rng = new Random(seed);
        var host = new Tensor[inputs.Length];
        var device = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = Tensor.Zeros(inputs[i].Shape);
            var draw = inputs[i].Draw ?? (r => (float)(2 * r.NextDouble() - 1));
            for (int j = 0; j < t.Numel; j++) t.Data[j] = draw(rng);
            host[i] = t;
            device[i] = t.ToDevice(target);
            Assert.NotSame(t, device[i]);
            host[i].RequiresGrad = device[i].RequiresGrad = inputs[i].RequiresGrad;
        }
        var yHost = op(host);
        var yDevice = op(device);
        Assert.False(yDevice.IsOnCpu, "the op's result left the device");
        OpCheck.AssertClose($"forward on {target}", yDevice.ToCpu(), yHost.Shape, GpuTestDevice.Doubles(yHost.Data), 1e-4);

        var weights = Tensor.FromArray(GpuTestDevice.Random(seed + 1, yHost.Numel), yHost.Shape);
        yHost.Backward(weights);
        yDevice.Backward(weights.ToDevice(target));
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad) continue;
            Assert.NotNull(device[i].Grad);
            Assert.False(device[i].Grad!.IsOnCpu, $"gradient of input {i} is not on the device");
            OpCheck.AssertClose($"gradient of input {i} on {target}", device[i].Grad!.ToCpu(), host[i].Shape, GpuTestDevice.Doubles(host[i].Grad!.Data), 1e-3);
        }
    }
}
