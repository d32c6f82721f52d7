using AecOfa.Engine.Kernels;
using AecOfa.Engine.Ops;
using AecOfa.Engine.Tests.Ops;

namespace AecOfa.Engine.Tests.Gpu;

/// <summary>The device ops on a real CUDA GPU against the host at moderate sizes (skipped without one).</summary>
[Collection(GpuCollection.Name)]
public class CudaTests
{
    [CudaFact]
    public void GemmOps_AtModerateSizes()
    {
        DeviceParity.Check(80, [OpInput.Of(129, 200), OpInput.Of(200, 67)], t => TensorOps.MatMul(t[0], t[1]), CudaFactAttribute.Device);
        DeviceParity.Check(81, [OpInput.Of(33, 960), OpInput.Of(130, 960), OpInput.Of(130)], t => TensorOps.Linear(t[0], t[1], t[2]), CudaFactAttribute.Device);
    }

    [CudaFact]
    public void ConvolutionsAndBatchNorm_AtModerateSizes()
    {
        var device = CudaFactAttribute.Device;
        DeviceParity.Check(82, [OpInput.Of(4, 48, 17, 25), OpInput.Of(48, 1, 7, 7)], t => TensorOps.Conv2d(t[0], t[1], null, 2, 3, groups: 48), device);
        DeviceParity.Check(83, [OpInput.Of(4, 48, 17, 25), OpInput.Of(72, 48, 1, 1)], t => TensorOps.Conv2d(t[0], t[1]), device);
        DeviceParity.Check(84, [OpInput.Of(4, 1, 64, 100), OpInput.Of(16, 1, 3, 3)], t => TensorOps.Conv2d(t[0], t[1], null, 2, 1), device);
        DeviceParity.Check(85, [OpInput.Of(8, 40, 9, 13), OpInput.Of(40), OpInput.Of(40)],
            t => TensorOps.BatchNorm2dTrain(t[0], t[1], t[2], 1e-5f, new double[40], new double[40], FusedActivation.HardSwish), device);
    }
}
