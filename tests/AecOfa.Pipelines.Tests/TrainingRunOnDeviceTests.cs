using AecOfa.Engine;
using AecOfa.Engine.IO;
using AecOfa.Nas.Training;
using AecOfa.Pipelines.Data;
using AecOfa.Pipelines.Training;

namespace AecOfa.Pipelines.Tests;

/// <summary>
/// `aecofa train --device` as a library call on ILGPU's CPU accelerator (the device kernels, no GPU needed): a tiny
/// standalone run (data pipeline, trainer, checkpoints, validation with BN recalibration, model file) equals the same
/// run on the host within the device tolerances.
/// </summary>
public sealed class TrainingRunOnDeviceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aecofa-devicerun-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StandaloneRun_OnTheDevice_EqualsTheHostRun()
    {
        string manifest = TinyDatasets.Synthetic(Path.Combine(_dir, "synth"), train: 16, val: 4, test: 4);
        var settings = new TrainingRunSettings
        {
            Manifest = manifest,
            Strategy = RunStrategy.Standalone,
            Arch = "smallest",
            Data = new DatasetOptions { MelBins = 16, ClipSeconds = 0.5 },
            WidthMultiplier = 0.1,
            ElasticResolution = false,
            Epochs = 1,
            BatchSize = 8,
            LearningRate = 0.05f,
            RecalibrationClips = 8,
            Seed = 3,
        };
        var host = TrainingRun.Run(settings, Path.Combine(_dir, "host"));
        var device = TrainingRun.Run(settings with { Data = settings.Data with { CachePath = null } }, Path.Combine(_dir, "device"), device: ComputeDevice.IlgpuCpu());

        double hostLoss = host.Training.Epochs[0].MeanTotal, deviceLoss = device.Training.Epochs[0].MeanTotal;
        Assert.True(Math.Abs(deviceLoss - hostLoss) <= 1e-4 * Math.Abs(hostLoss), $"epoch loss {deviceLoss} on the device, {hostLoss} on the host");
        var a = SafetensorsFile.Read(Path.Combine(host.Folder, TrainingRun.ModelFile)).Tensors.ToDictionary(t => t.Name, t => t.Tensor);
        foreach (var (name, t) in SafetensorsFile.Read(Path.Combine(device.Folder, TrainingRun.ModelFile)).Tensors)
        {
            var expected = a[name].Data;
            double scale = expected.Max(v => Math.Abs((double)v)), err = 0;
            for (int i = 0; i < expected.Length; i++) err = Math.Max(err, Math.Abs((double)t.Data[i] - expected[i]));
            // Tensors that are zero in exact arithmetic (the shift of a BN that another training-mode BN follows: its
            // gradient is rounding noise, ~1e-9 here) are compared against a floor of 1e-3 instead of their own scale.
            Assert.True(float.IsFinite(t.Data.Sum()) && err <= 1e-3 * Math.Max(scale, 1e-3), $"{name}: max difference {err} (scale {scale})");
        }
    }
}
