using AecOfa.Engine.Nn;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Optim;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>Transfers are explicit and exact; mixing devices and host-only ops on device tensors fail clearly.</summary>
[Collection(GpuCollection.Name)]
public class DeviceTensorTests
{
    [Fact]
    public void ToDeviceAndBack_IsExact_AndReadingDeviceDataThrows()
    {
        var (host, device) = GpuTestDevice.Pair(1, 2, 3, 5);
        Assert.True(host.IsOnCpu);
        Assert.False(device.IsOnCpu);
        Assert.Same(device, device.ToDevice(GpuTestDevice.Device));
        Assert.Equal(host.Data, device.ToCpu().Data);
        Assert.Equal(host.Data, device.ToArray());
        var e = Assert.Throws<DeviceMismatchException>(() => device.Data);
        Assert.Contains("ilgpu-cpu", e.Message);
        Assert.Contains("ToCpu()", e.Message);
        Assert.Equal(host.Data[0], device.ToDevice(ComputeDevice.Cpu).Data[0]);
        Assert.Equal(host.Data, device.Detach().ToArray());
    }

    [Fact]
    public void MixingDevices_NamesTheOpAndBothDevices()
    {
        var (host, device) = GpuTestDevice.Pair(2, 2, 3);
        var e = Assert.Throws<DeviceMismatchException>(() => TensorOps.Add(device, host));
        Assert.Contains("Add", e.Message);
        Assert.Contains("ilgpu-cpu", e.Message);
        Assert.Contains("cpu", e.Message.Replace("ilgpu-cpu", ""));
        var w = Tensor.Zeros(3, 3);
        Assert.Contains("MatMul", Assert.Throws<DeviceMismatchException>(() => TensorOps.MatMul(device, w)).Message);
    }

    [Fact]
    public void WhatHasNoDeviceKernel_FailsClearly_WithoutCopying()
    {
        var (_, device) = GpuTestDevice.Pair(3, 2, 4, 5, 7);
        var w = Tensor.Zeros(4, 2, 3, 3).ToDevice(GpuTestDevice.Device);
        var e = Assert.Throws<NotSupportedException>(() => TensorOps.Conv2d(device, w, null, 1, 1, groups: 2));
        Assert.Contains("Conv2d", e.Message);
        Assert.Contains("ilgpu-cpu", e.Message);
        Assert.Contains("groups=2", e.Message);
        // Host code reading a device tensor's values names the device and the explicit transfer.
        Assert.Contains("ToCpu()", Assert.Throws<DeviceMismatchException>(() => device.Span.ToArray()).Message);
    }

    [Fact]
    public void ModuleToDevice_MovesParametersAndBuffersInPlace()
    {
        var bn = new BatchNorm2d(3);
        var weight = bn.Weight;
        bn.ToDevice(GpuTestDevice.Device);
        Assert.Same(weight, bn.Weight);
        Assert.False(bn.Weight.IsOnCpu);
        Assert.False(bn.RunningVar.IsOnCpu);
        Assert.Equal([1f, 1f, 1f], bn.RunningVar.ToArray());
        bn.ToDevice(ComputeDevice.Cpu);
        Assert.True(bn.RunningVar.IsOnCpu);
        Assert.Equal([1f, 1f, 1f], bn.RunningVar.Data);
    }

    [Fact]
    public void DeviceOptions_AreParsed_AndUnknownOnesNamed()
    {
        Assert.Same(ComputeDevice.Cpu, ComputeDevice.FromOption("cpu"));
        var e = Assert.Throws<ArgumentException>(() => ComputeDevice.FromOption("tpu"));
        Assert.Contains("'tpu'", e.Message);
        Assert.Contains("cpu, cuda or auto", e.Message);
    }

    [Fact]
    public void Cuda_WhenAbsent_SaysWhatWasLookedFor()
    {
        ComputeDevice cuda;
        try { cuda = ComputeDevice.Cuda(); }
        catch (ComputeDeviceUnavailableException e)
        {
            Assert.Contains("CUDA", e.Message);
            Assert.Contains("libcuda", e.Message);
            Assert.Same(ComputeDevice.Cpu, ComputeDevice.FromOption("auto"));
            return;
        }
        // A machine with a GPU: the device works (the GPU check script runs the real tests).
        Assert.StartsWith("cuda:0", cuda.Name);
    }

    [Fact]
    public void GradientClipping_OnTheDevice_EqualsTheHost()
    {
        var host = new[] { new Parameter(GpuTestDevice.Random(20, 35), [5, 7]), new Parameter(GpuTestDevice.Random(21, 3), [3]) };
        var device = host.Select(p => new Parameter(p.ToArray(), p.Shape)).ToArray();
        for (int i = 0; i < host.Length; i++)
        {
            host[i].Grad = Tensor.FromArray(GpuTestDevice.Random(30 + i, host[i].Numel), host[i].Shape);
            device[i].Grad = host[i].Grad!.Detach();
            device[i].MoveTo(GpuTestDevice.Device);
        }
        float normHost = GradientClipping.ClipByGlobalNorm(host, 0.5f);
        float normDevice = GradientClipping.ClipByGlobalNorm(device, 0.5f);
        Assert.Equal(normHost, normDevice, 1e-5f);
        GradientClipping.ClipByValue(host, 0.05f);
        GradientClipping.ClipByValue(device, 0.05f);
        for (int i = 0; i < host.Length; i++)
            AecOfa.Engine.Tests.Ops.OpCheck.AssertClose($"gradient {i}", device[i].Grad!.ToCpu(), host[i].Shape, GpuTestDevice.Doubles(host[i].Grad!.Data), 1e-6);
    }
}
